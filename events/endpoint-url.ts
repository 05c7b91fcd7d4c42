import { isIP } from 'node:net';
import { isPublicAddress } from './public-address';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Why `raw` cannot be an endpoint URL, or undefined when it can: HTTPS only, no credentials in it;
 * plain HTTP only to this machine (`localhost`, 127.0.0.1, [::1]) and only when the deployment allows
 * it (`AURA_WEBHOOKS_ALLOW_LOOPBACK_HTTP`: the local profile, tests).
 */
export function endpointUrlProblem(raw: string, allowLoopbackHttp: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (url.hash) return 'must not have a fragment';
  // Names are checked when a delivery connects (`publicOnlyLookup`); an address literal here.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !isPublicAddress(host, allowLoopbackHttp))
    return 'must not be a private, loopback or link-local address';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol !== 'http:') return 'must be https';
  if (!LOOPBACK.has(url.hostname)) return 'must be https (plain http only to localhost, when allowed)';
  return allowLoopbackHttp ? undefined : 'must be https (plain http to localhost is off in this deployment)';
}
