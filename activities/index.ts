import { createDeliveryActivities } from './delivery';
import type { WhatsAppDeps } from './whatsapp';
import { createWhatsAppActivities } from './whatsapp';

export type ActivityDeps = WhatsAppDeps;

/** Builds every activity over its dependencies; the worker wires the real ones. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createWhatsAppActivities(deps),
    ...createDeliveryActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
