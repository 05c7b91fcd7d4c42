import net from 'node:net';

/** A port `npm start` will bind, what for, and the variable that moves it. */
export interface NeededPort {
  port: number;
  what: string;
  variable: string;
}

/**
 * The needed ports something else already holds (or that cannot be bound), with the reason. Checked
 * before anything starts, so a second `npm start` stops with a clear message instead of attaching to
 * a stranger's Temporal server. Each port is tried on the wildcard and the loopback address: a
 * process holding either one would make our bind fail.
 */
export async function unavailablePorts(
  ports: readonly NeededPort[],
): Promise<(NeededPort & { reason: string })[]> {
  const out: (NeededPort & { reason: string })[] = [];
  for (const needed of ports) {
    const reason = (await bindError(needed.port, '::')) ?? (await bindError(needed.port, '127.0.0.1'));
    if (reason) out.push({ ...needed, reason });
  }
  return out;
}

function bindError(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EAFNOSUPPORT' || err.code === 'EADDRNOTAVAIL')
        resolve(undefined); // no IPv6 here
      else resolve(err.code === 'EADDRINUSE' ? 'already in use' : `cannot be bound (${String(err.code)})`);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}
