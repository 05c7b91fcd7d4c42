import { z } from 'zod';
import type { Subject, SubjectVault } from '../crypto/vault';
import { SubjectErasedError } from '../crypto/vault';
import type { CannedResponse } from '../db/canned-responses';
import { contactNames } from '../db/contacts';
import { listOrdersOfSubject } from '../db/orders';
import type { Db } from '../db/pool';
import { readOrderRecord } from '../orders/access';

/**
 * The variables a canned response may use, filled on the server for the conversation:
 * the customer's WhatsApp profile name, their latest order's id, carrier, tracking number and
 * tracking link, and the agent's own label.
 */
export const CANNED_VARIABLES = [
  'customer.name',
  'order.id',
  'order.carrier',
  'order.trackingNumber',
  'order.trackingUrl',
  'agent.name',
] as const;
export type CannedVariable = (typeof CANNED_VARIABLES)[number];

const VARIABLE = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The names inside `{{…}}` in a body, in order of appearance, each once. */
export function variablesOf(body: string): string[] {
  return [...new Set([...body.matchAll(VARIABLE)].map((m) => m[1]!))];
}

/** The names a body uses that are not variables (a typo, an unknown field), each once. */
export function unknownVariables(body: string): string[] {
  return variablesOf(body).filter((v) => !(CANNED_VARIABLES as readonly string[]).includes(v));
}

export const cannedContentSchema = z
  .strictObject({
    shortcut: z
      .string()
      .trim()
      .regex(
        /^[a-z0-9][a-z0-9_-]{0,31}$/,
        'must be 1-32 lowercase letters, digits, _ or -, as typed after /',
      ),
    language: z.enum(['en', 'es', 'pt']),
    body: z
      .string()
      .trim()
      .min(1)
      .max(4096)
      .refine((b) => !b.includes('\u0000'), 'must not contain NUL (\\u0000)'),
  })
  .superRefine((c, ctx) => {
    const unknown = unknownVariables(c.body);
    if (unknown.length)
      ctx.addIssue({
        code: 'custom',
        path: ['body'],
        message: `unknown variables ${unknown.map((v) => `{{${v}}}`).join(', ')}; known: ${CANNED_VARIABLES.join(', ')}`,
      });
  });

/** `body` with every variable replaced by its value (a value the conversation lacks becomes empty). */
export function fillVariables(body: string, values: Partial<Record<CannedVariable, string>>): string {
  return body.replace(VARIABLE, (_whole, name: string) => values[name as CannedVariable] ?? '');
}

/** A canned response for one conversation: its text with the variables filled, and those left empty. */
export interface RenderedCanned extends CannedResponse {
  text: string;
  missing: string[];
}

/**
 * Fills `responses` for the conversation's subject. The name is unsealed (and `nameRead` is true,
 * for the caller's audit record) only when a response uses `{{customer.name}}`; the latest order is
 * opened only when one uses an `order.*` variable.
 */
export async function renderCanned(
  deps: { db: Db; vault: SubjectVault },
  subject: Subject,
  agentName: string | undefined,
  responses: readonly CannedResponse[],
): Promise<{ rendered: RenderedCanned[]; nameRead: boolean }> {
  const used = new Set(responses.flatMap((r) => variablesOf(r.body)));
  const values: Partial<Record<CannedVariable, string>> = agentName ? { 'agent.name': agentName } : {};
  let nameRead = false;
  try {
    if (used.has('customer.name')) {
      const sealed = (await contactNames(deps.db, subject.clientId, [subject.subjectHash])).get(
        subject.subjectHash,
      );
      if (sealed) {
        values['customer.name'] = await deps.vault.openText(subject, 'contact.name', sealed);
        nameRead = true;
      }
    }
    if ([...used].some((v) => v.startsWith('order.')))
      Object.assign(values, await latestOrder(deps, subject));
  } catch (err) {
    if (!(err instanceof SubjectErasedError)) throw err;
  }
  const rendered = responses.map((r) => ({
    ...r,
    text: fillVariables(r.body, values),
    missing: variablesOf(r.body).filter((v) => !values[v as CannedVariable]),
  }));
  return { rendered, nameRead };
}

async function latestOrder(
  deps: { db: Db; vault: SubjectVault },
  subject: Subject,
): Promise<Partial<Record<CannedVariable, string>>> {
  const [latest] = await listOrdersOfSubject(deps.db, subject.clientId, subject.subjectHash, 1);
  if (!latest) return {};
  const view = await readOrderRecord(deps, subject.clientId, latest.orderId, subject.subjectHash);
  const s = view?.shipment;
  return {
    'order.id': latest.orderId,
    ...(s?.carrier ? { 'order.carrier': s.carrier } : {}),
    ...(s?.trackingNumber ? { 'order.trackingNumber': s.trackingNumber } : {}),
    ...(s?.trackingUrl ? { 'order.trackingUrl': s.trackingUrl } : {}),
  };
}
