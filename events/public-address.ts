import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';

/**
 * Whether an address is one a client's endpoint may be: a public unicast address (not private,
 * loopback, link-local — the cloud metadata service at 169.254.169.254 — or otherwise reserved);
 * loopback too when the deployment allows it (the local profile, tests).
 */
export function isPublicAddress(address: string, allowLoopback: boolean): boolean {
  if (!ipaddr.isValid(address)) return false;
  const range = ipaddr.process(address).range();
  return range === 'unicast' || (allowLoopback && range === 'loopback');
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for sockets to clients' endpoints: it resolves as usual and refuses a name any of
 * whose addresses is not public, at connect time, so a name cannot pass a check and then resolve
 * to an internal address (DNS rebinding).
 */
export function publicOnlyLookup(allowLoopback: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      if (addresses.length === 0 || addresses.some((a) => !isPublicAddress(a.address, allowLoopback)))
        return callback(
          Object.assign(new Error(`${hostname} resolves to an address that is not public`), {
            code: 'ENOTPUBLIC',
          }),
          [],
        );
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
