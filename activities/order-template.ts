import type { Queryable } from '../db/pool';
import { findTemplate } from '../db/templates';
import type { TemplateRef } from '../settings/client-settings';
import type { OrderEvent, OrderView } from '../workflows/order/contract';
import type { OutboundContent, TemplateButton } from '../whatsapp/outbound';
import { templateSlots, urlButtonSuffix } from '../whatsapp/templates';

type TemplateContent = Extract<OutboundContent, { type: 'template' }>;

/**
 * An order update as the client's template: the settings' header and buttons; the body's parameters
 * from the settings, else the order's own (`orderTemplateParameters`), the first as many as the
 * synced template has slots for; for `order_shipped`, a URL button with a placeholder gets the
 * shipment's tracking link as its suffix (see `urlButtonSuffix`). Without a synced template the
 * order's parameters all go, as before templates were synced.
 */
export async function orderTemplateContent(
  db: Queryable,
  input: { clientId: string; event: OrderEvent; view: OrderView; parameters: string[] },
  ref: TemplateRef,
): Promise<TemplateContent> {
  const stored = await findTemplate(db, input.clientId, ref.name, ref.language);
  const slots = stored && templateSlots(stored.components);
  const parameters = ref.parameters ?? (slots ? input.parameters.slice(0, slots.body) : input.parameters);
  const buttons: TemplateButton[] = [...(ref.buttons ?? [])];
  const shipment = input.view.shipment;
  if (input.event === 'order_shipped')
    for (const slot of slots?.buttons ?? []) {
      if (slot.type !== 'url' || buttons.some((b) => b.index === slot.index)) continue;
      const text = urlButtonSuffix(slot.base ?? '', shipment?.trackingUrl, shipment?.trackingNumber);
      if (text) buttons.push({ index: slot.index, type: 'url', text });
    }
  return {
    type: 'template',
    name: ref.name,
    language: ref.language,
    ...(parameters.length ? { parameters } : {}),
    ...(ref.header ? { header: ref.header } : {}),
    ...(buttons.length ? { buttons: buttons.sort((a, b) => a.index - b.index) } : {}),
  };
}
