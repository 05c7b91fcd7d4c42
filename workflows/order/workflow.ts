import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { modeAttribute } from '../../temporal/search-attributes';
import { QUICK_ACTIVITY_OPTIONS, RETRY_THROUGH_OUTAGES } from '../activity-options';
import {
  cancelUpdate,
  deliveredUpdate,
  getOrderQuery,
  openedUpdate,
  paymentUpdate,
  shipmentUpdate,
  TRANSITION_REFUSED,
  type OrderInput,
  type OrderStatus,
} from './contract';
import { clientText } from '../../i18n';
import { orderTemplateParameters, orderUpdateText, type OrderAudience } from './messages';
import { OrderMachine, orderWeight, validateOrderInput } from './state';

// Pricing and recording are a few milliseconds of database work on the path of an API call, so they
// run as local activities (no task-queue round trip each); retries back off to a minute so a database
// restart is ridden out.
const { priceOrder, recordOrder, orderAudience } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: RETRY_THROUGH_OUTAGES,
});
const { purgeOrderRecord } = proxyActivities<Activities>(QUICK_ACTIVITY_OPTIONS);
// A customer update is worth retrying through a Graph outage, but not forever: after an hour it is
// recorded as failed and the order moves on (the order matters more than the message about it).
const { notifyOrder } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: RETRY_THROUGH_OUTAGES,
});

const DAY_MS = 24 * 60 * 60 * 1000;
const now = () => new Date().toISOString();

/**
 * One order, from creation to the end of its retention period: prices shipping from the client's rate
 * table, waits for payment until the deadline (expiry cancels), then for fulfilment. Transitions come
 * as updates whose validators refuse impossible ones synchronously; every change is written to the
 * database and told to the customer over WhatsApp. When the client's order retention has passed since
 * the order ended, the record is purged and the workflow completes. Throws `InvalidOrderInput` for
 * input that could never become an order.
 */
export async function orderWorkflow(input: OrderInput): Promise<void> {
  const problems = validateOrderInput(input);
  if (problems.length > 0)
    throw ApplicationFailure.nonRetryable(`invalid order: ${problems.join('; ')}`, 'InvalidOrderInput');
  const order = new OrderMachine(input, now());
  const record = recorder(input, order);
  registerHandlers(order, record);
  const step = {
    changed: () => order.hasEvents() || !record.isCurrent(),
    flush: () => flushChanges(input, order, record),
  };

  const terms = await priceOrder({
    clientId: input.clientId,
    currency: input.currency,
    destination: input.deliveryAddress,
    parcel: { weightGrams: orderWeight(input.items), subtotal: order.view().subtotal },
  });
  if (terms.ok) {
    const deadline = Date.parse(order.view().createdAt) + terms.paymentDeadlineHours * 3_600_000;
    order.open(terms.shippingCost, new Date(deadline).toISOString(), now());
  } else {
    order.refuseShipping(now());
  }
  await step.flush();
  await untilEnded(order, step);
  await keepForRetention(order, step, terms.retentionDays);
  await condition(allHandlersFinished);
  await purgeOrderRecord({ clientId: input.clientId, orderId: input.orderId });
  order.purge(now());
}

interface Step {
  changed: () => boolean;
  flush: () => Promise<void>;
}

/** Follows the order until it ends; an unpaid order expires at its payment deadline. */
async function untilEnded(order: OrderMachine, step: Step): Promise<void> {
  while (!order.isEnded()) {
    const left =
      order.status === 'awaiting_payment'
        ? Date.parse(order.view().paymentDeadline!) - Date.now()
        : undefined;
    if (left !== undefined && left <= 0) order.expire(now());
    else if (!(await condition(step.changed, left))) order.expire(now());
    await step.flush();
  }
}

/** Keeps the ended order for the retention period; a late refund of a delivered order restarts the clock. */
async function keepForRetention(order: OrderMachine, step: Step, retentionDays: number): Promise<void> {
  for (;;) {
    const left = Date.parse(order.view().completedAt!) + retentionDays * DAY_MS - Date.now();
    if (left <= 0 || !(await condition(step.changed, left))) return;
    await step.flush();
  }
}

type Recorder = ReturnType<typeof recorder>;

/**
 * Writes the order's newest state to its record and its status to `AuraMode` (every change passes
 * here); concurrent writes are safe (the record keeps the newest version).
 */
function recorder(input: OrderInput, order: OrderMachine) {
  let recorded = 0;
  let mode: OrderStatus = 'created';
  return {
    isCurrent: () => recorded >= order.view().version,
    async write(): Promise<void> {
      const view = order.view();
      if (view.version <= recorded) return;
      if (view.status !== mode) {
        upsertSearchAttributes([{ key: modeAttribute, value: view.status }]);
        mode = view.status;
      }
      await recordOrder({ clientId: input.clientId, view });
      recorded = Math.max(recorded, view.version);
    },
  };
}

/**
 * Updates answer once their change is recorded, so an API caller that reads the order right after
 * sees it. Validators refuse impossible transitions before anything is written to history.
 */
function registerHandlers(order: OrderMachine, record: Recorder): void {
  const refuse = (reason: string | undefined) => {
    if (reason)
      throw ApplicationFailure.create({ message: reason, type: TRANSITION_REFUSED, nonRetryable: true });
  };
  const recorded = async () => {
    await record.write();
    return order.view();
  };
  setHandler(getOrderQuery, () => order.view());
  setHandler(openedUpdate, async () => {
    await condition(() => order.status !== 'created');
    return recorded();
  });
  setHandler(paymentUpdate, (p) => (order.applyPayment(p, now()), recorded()), {
    validator: (p) => refuse(order.checkPayment(p)),
  });
  setHandler(shipmentUpdate, (s) => (order.applyShipment(s, now()), recorded()), {
    validator: (s) => refuse(order.checkShipment(s)),
  });
  setHandler(deliveredUpdate, () => (order.applyDelivered(now()), recorded()), {
    validator: () => refuse(order.checkDelivered()),
  });
  setHandler(cancelUpdate, ({ reason }) => (order.applyCancel(reason ?? 'cancelled', now()), recorded()), {
    validator: (_input) => refuse(order.checkCancel()),
  });
}

/**
 * The customer's language (their conversation's, kept on the contact; else the client's) and the
 * client's formatting terms, read when there is something to tell: the customer may have written
 * since the order began.
 */
async function audienceOf(input: OrderInput): Promise<OrderAudience> {
  const facts = await orderAudience({ clientId: input.clientId, subjectHash: input.subjectHash });
  return {
    lang: facts.language,
    timeZone: facts.timezone,
    country: facts.country,
    paymentInstructions: clientText(facts.paymentInstructions, facts.language, facts.clientLanguage),
  };
}

/** Records the newest state, then tells the customer about each event since the last flush. */
async function flushChanges(input: OrderInput, order: OrderMachine, record: Recorder): Promise<void> {
  while (order.hasEvents() || !record.isCurrent()) {
    await record.write();
    const events = order
      .takeEvents()
      // A catalogue order's confirmation is the chat's own reply to the order message.
      .filter((event) => !(event === 'order_confirmation' && input.source === 'catalogue'));
    if (events.length === 0) continue;
    const audience = await audienceOf(input);
    for (const event of events) {
      const view = order.view();
      try {
        await notifyOrder({
          clientId: input.clientId,
          phoneNumberId: input.phoneNumberId,
          idempotencyKey: `${workflowInfo().workflowId}:notify:${event}`,
          event,
          view,
          message: {
            language: audience.lang,
            text: orderUpdateText(event, view, audience),
            templateParameters: orderTemplateParameters(event, view, audience),
          },
        });
      } catch (err) {
        log.warn('order update not sent', { event, type: (err as { type?: string }).type });
      }
    }
  }
}
