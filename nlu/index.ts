import type { Config } from '../config';
import { createBuiltinEngine } from './builtin';
import { createDialogflowCxEngine } from './dialogflow-cx';
import type { NluEngine } from './port';

/** The engine the configuration asks for: Dialogflow CX when configured, the built-in one otherwise. */
export function createNluEngine(config: Pick<Config, 'dialogflow'>): NluEngine {
  return config.dialogflow ? createDialogflowCxEngine(config.dialogflow) : createBuiltinEngine();
}
