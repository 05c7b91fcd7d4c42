import { createConversationActivities } from './conversation';
import { createDeliveryActivities } from './delivery';
import { createEventActivities, type EventDeps } from './events';
import { withActivityContext } from './log';
import { createMediaActivities, type MediaDeps } from './media';
import { createNluActivities, type NluDeps } from './nlu';
import type { OrderDeps } from './orders';
import { createOrderActivities } from './orders';
import type { PrivacyDeps } from './privacy';
import { createPrivacyActivities } from './privacy';
import { createTemplateActivities } from './templates';
import { createTurnActivities } from './turn';
import type { WhatsAppDeps } from './whatsapp';
import { createWhatsAppActivities } from './whatsapp';

export type ActivityDeps = WhatsAppDeps &
  PrivacyDeps &
  OrderDeps &
  Pick<EventDeps, 'webhooks'> &
  Pick<NluDeps, 'nlu' | 'fetchMedia'> &
  Pick<MediaDeps, 'mediaDownloads' | 'mediaStallMs'>;

/**
 * Builds every activity over its dependencies; the worker wires the real ones. Activity log lines
 * carry the workflow id and activity type.
 */
export function createActivities(given: ActivityDeps) {
  const deps = { ...given, log: withActivityContext(given.log) };
  const whatsapp = createWhatsAppActivities(deps);
  const conversation = createConversationActivities(deps);
  return {
    ...whatsapp,
    ...createMediaActivities(deps),
    ...createPrivacyActivities(deps),
    ...createOrderActivities(deps),
    ...createDeliveryActivities(deps),
    ...createNluActivities(deps),
    ...conversation,
    ...createTurnActivities({ ...conversation, ...whatsapp }),
    ...createEventActivities(deps),
    ...createTemplateActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
