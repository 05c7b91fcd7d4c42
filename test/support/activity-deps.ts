import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/pool';
import type { ActivityDeps } from '../../activities';
import { blindIndexKey } from '../../crypto/keys';
import { LocalKms } from '../../crypto/kms';
import { createSecretBox } from '../../crypto/secret-box';
import { SubjectVault } from '../../crypto/vault';
import { createLogger } from '../../logging';
import { createLocalMediaStore } from '../../media/store';
import { createMetrics } from '../../metrics';
import { createGraphClient } from '../../whatsapp/graph-client';

/**
 * The activity dependencies a test wires by hand (activities run outside the stack's worker): the
 * Graph client at `graphUrl`, a vault and secret box over `masterKey`, a silent log, its own metrics
 * registry and a temporary media folder; anything in `overrides` replaces the default.
 */
export function testActivityDeps(
  base: { db: Db; temporal: Client; graphUrl: string; masterKey: Buffer },
  overrides: Partial<ActivityDeps> = {},
): ActivityDeps {
  return {
    db: base.db,
    temporal: base.temporal,
    graph: createGraphClient({ baseUrl: base.graphUrl, version: 'v23.0' }),
    indexKey: blindIndexKey(base.masterKey),
    secrets: createSecretBox(base.masterKey),
    vault: new SubjectVault(base.db, new LocalKms([base.masterKey])),
    media: createLocalMediaStore(mkdtempSync(path.join(tmpdir(), 'aura-media-'))),
    log: createLogger('silent'),
    metrics: createMetrics('worker'),
    ...overrides,
  };
}
