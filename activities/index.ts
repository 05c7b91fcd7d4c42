import { createConversationActivities } from './conversation';
import { createNluActivities, type NluDeps } from './nlu';
import { createOrderSeamActivities } from './order-seam';
import type { WhatsAppDeps } from './whatsapp';
import { createWhatsAppActivities } from './whatsapp';

export type ActivityDeps = WhatsAppDeps & Pick<NluDeps, 'nlu' | 'fetchMedia'>;

/** Builds every activity over its dependencies; the worker wires the real ones. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createWhatsAppActivities(deps),
    ...createNluActivities(deps),
    ...createConversationActivities(deps),
    ...createOrderSeamActivities(),
  };
}

export type Activities = ReturnType<typeof createActivities>;
