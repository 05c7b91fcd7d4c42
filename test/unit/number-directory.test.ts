import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNumberDirectory } from '../../api/number-directory';
import type { Queryable } from '../../db/pool';

/** A stand-in for the pool: answers from `owners` while `up`, else fails as a refused connection. */
function fakeDb(owners: Map<string, string>) {
  const db = {
    up: true,
    queries: 0,
    query: (async (_sql: string, params: string[]) => {
      db.queries += 1;
      if (!db.up) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      const owner = owners.get(params[0]!);
      return { rows: owner ? [{ client_id: owner }] : [] };
    }) as unknown as Queryable['query'],
  };
  return db;
}

describe('number directory (webhook routing while PostgreSQL is down)', () => {
  it('when a known number is asked again within the TTL, then the database is not queried again', async () => {
    const db = fakeDb(new Map([['1001', 'cl_a']]));
    const directory = createNumberDirectory(db, { ttlMs: 1_000, now: () => 0 });
    assert.equal(await directory.clientIdFor('1001'), 'cl_a');
    assert.equal(await directory.clientIdFor('1001'), 'cl_a');
    assert.equal(db.queries, 1);
  });

  it('when the entry is stale and the database is down, then the last known owner answers', async () => {
    let clock = 0;
    const db = fakeDb(new Map([['1001', 'cl_a']]));
    const directory = createNumberDirectory(db, { ttlMs: 1_000, now: () => clock });
    await directory.clientIdFor('1001');
    db.up = false;
    clock = 5_000;
    assert.equal(await directory.clientIdFor('1001'), 'cl_a');
    assert.equal(db.queries, 2, 'a stale entry is refreshed from the database first');
  });

  it('when the database is down and the number was never seen, then the lookup throws (→ 503, Meta retries)', async () => {
    const db = fakeDb(new Map([['1001', 'cl_a']]));
    db.up = false;
    const directory = createNumberDirectory(db);
    await assert.rejects(directory.clientIdFor('1001'), /ECONNREFUSED/);
  });

  it('when a number is unknown, then it is not cached, so a client provisioned next is routed at once', async () => {
    const owners = new Map<string, string>();
    const directory = createNumberDirectory(fakeDb(owners), { now: () => 0 });
    assert.equal(await directory.clientIdFor('2002'), undefined);
    owners.set('2002', 'cl_b');
    assert.equal(await directory.clientIdFor('2002'), 'cl_b');
  });
});
