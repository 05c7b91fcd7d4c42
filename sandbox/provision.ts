/** A fresh phone_number_id (digits, as Meta's are). */
export const phoneNumberId = () => String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));

export interface ProvisionedClient {
  clientId: string;
  apiKey: string;
  phoneNumberId: string;
}

/**
 * Provisions a client with one fresh number through `POST /admin/v1/clients`, as an operator would:
 * what the tests, the chaos harness and the benchmark each start from. `extra` adds to or replaces
 * the body's fields (name, settings …).
 */
export async function provisionClient(
  apiUrl: string,
  adminToken: string,
  extra: Record<string, unknown> = {},
): Promise<ProvisionedClient> {
  const number = phoneNumberId();
  const res = await fetch(`${apiUrl}/admin/v1/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Test Shop',
      phoneNumberIds: [number],
      graphAccessToken: 'EAAG-test-token',
      ...extra,
    }),
  });
  if (res.status !== 201) throw new Error(`provisioning failed: ${res.status} ${await res.text()}`);
  const { clientId, apiKey } = (await res.json()) as { clientId: string; apiKey: string };
  return { clientId, apiKey, phoneNumberId: number };
}
