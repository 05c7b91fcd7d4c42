import type { Config } from '../config';
import { createDialogflowCxEngine } from './dialogflow-cx';
import type { NluEngine } from './port';
import type { Queryable } from '../db/pool';
import { createTaughtEngine } from './taught';

/**
 * The engine the configuration asks for: Dialogflow CX when configured, otherwise the built-in one
 * taught by each client's FAQ entries (read from `db`).
 */
export function createNluEngine(config: Pick<Config, 'dialogflow'>, db: Queryable): NluEngine {
  return config.dialogflow ? createDialogflowCxEngine(config.dialogflow) : createTaughtEngine(db);
}
