import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orderStatusText, orderTemplateParameters, orderUpdateText } from '../../workflows/order/messages';
import { OrderMachine, validateOrderInput } from '../../workflows/order/state';
import { orderInput } from '../orders/fixtures';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T01:00:00.000Z';
const DEADLINE = '2026-01-03T00:00:00.000Z';
const shipment = {
  carrier: 'CTT',
  trackingNumber: 'RR123456789PT',
  trackingUrl: 'https://track.example/RR1',
};

function machineIn(
  status: 'created' | 'awaiting_payment' | 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'refunded',
) {
  const m = new OrderMachine(orderInput(), T0);
  if (status === 'created') return m;
  m.open(300, DEADLINE, T0);
  if (status === 'cancelled') m.applyCancel('customer', T1);
  if (status === 'awaiting_payment' || status === 'cancelled') return m;
  m.applyPayment({ status: 'paid', reference: 'pay-1' }, T1);
  if (status !== 'paid') m.applyShipment(shipment, T1);
  if (status === 'delivered' || status === 'refunded') m.applyDelivered(T1);
  if (status === 'refunded') m.applyPayment({ status: 'refunded', reference: 'ref-1' }, T1);
  m.takeEvents();
  return m;
}

describe('order state machine', () => {
  it('when an order goes through its whole life, then each step changes status and owes one customer update', () => {
    const m = new OrderMachine(orderInput(), T0);
    assert.equal(m.status, 'created');
    m.open(300, DEADLINE, T0);
    assert.deepEqual([m.view().subtotal, m.view().shippingCost, m.view().total], [2500, 300, 2800]);
    m.applyPayment({ status: 'paid', reference: 'pay-1' }, T1);
    m.applyShipment(shipment, T1);
    m.applyDelivered(T1);
    assert.equal(m.status, 'delivered');
    assert.equal(m.view().completedAt, T1);
    assert.deepEqual(m.takeEvents(), [
      'order_confirmation',
      'payment_received',
      'order_shipped',
      'order_delivered',
    ]);
    assert.equal(m.isEnded(), true);
  });

  it('when a transition is impossible, then the check names why (every refused transition)', () => {
    const cases: [Parameters<typeof machineIn>[0], (m: OrderMachine) => string | undefined, RegExp][] = [
      ['created', (m) => m.checkCancel(), /still being priced/],
      [
        'created',
        (m) => m.checkPayment({ status: 'paid', reference: 'x' }),
        /created: it cannot take payments/,
      ],
      ['awaiting_payment', (m) => m.checkShipment(shipment), /not paid yet/],
      ['awaiting_payment', (m) => m.checkDelivered(), /not shipped yet/],
      [
        'awaiting_payment',
        (m) => m.checkPayment({ status: 'refunded', reference: 'r' }),
        /awaiting payment: it cannot be refunded/,
      ],
      ['paid', (m) => m.checkCancel(), /refund it instead/],
      ['paid', (m) => m.checkDelivered(), /not shipped yet/],
      ['paid', (m) => m.checkPayment({ status: 'paid', reference: 'pay-2' }), /already paid/],
      ['paid', (m) => m.checkPayment({ status: 'failed', reference: 'pay-2' }), /already paid/],
      ['shipped', (m) => m.checkCancel(), /shipped: it cannot be cancelled/],
      ['shipped', (m) => m.checkShipment({ ...shipment, trackingNumber: 'OTHER' }), /already shipped/],
      ['delivered', (m) => m.checkShipment(shipment), /already shipped/],
      ['delivered', (m) => m.checkCancel(), /delivered: it cannot be cancelled/],
      [
        'cancelled',
        (m) => m.checkPayment({ status: 'paid', reference: 'x' }),
        /cancelled: it cannot take payments/,
      ],
      ['cancelled', (m) => m.checkShipment(shipment), /cancelled: it cannot be shipped/],
      ['cancelled', (m) => m.checkDelivered(), /cancelled: it cannot be delivered/],
      [
        'cancelled',
        (m) => m.checkPayment({ status: 'refunded', reference: 'r' }),
        /cancelled: it cannot be refunded/,
      ],
      ['refunded', (m) => m.checkPayment({ status: 'refunded', reference: 'r2' }), /already refunded/],
      ['refunded', (m) => m.checkCancel(), /refunded: it cannot be cancelled/],
      ['refunded', (m) => m.checkDelivered(), /refunded: it cannot be delivered/],
    ];
    for (const [status, check, reason] of cases) {
      const m = machineIn(status);
      const before = JSON.stringify(m.view());
      assert.match(check(m) ?? '(allowed)', reason, `${status}`);
      assert.equal(JSON.stringify(m.view()), before, 'a check changes nothing');
    }
  });

  it('when the same payment, shipment, delivery or cancel is applied twice, then the second changes nothing', () => {
    const paid = machineIn('paid');
    const v = paid.view().version;
    assert.equal(paid.checkPayment({ status: 'paid', reference: 'pay-1' }), undefined);
    paid.applyPayment({ status: 'paid', reference: 'pay-1' }, T1);
    assert.equal(paid.view().version, v);
    assert.equal(paid.view().payments.length, 1);

    const shipped = machineIn('shipped');
    assert.equal(shipped.checkShipment(shipment), undefined);
    shipped.applyShipment(shipment, T1);
    assert.equal(shipped.hasEvents(), false);

    const delivered = machineIn('delivered');
    assert.equal(delivered.checkDelivered(), undefined);
    delivered.applyDelivered(T1);
    assert.equal(delivered.hasEvents(), false);

    const cancelled = machineIn('cancelled');
    assert.equal(cancelled.checkCancel(), undefined);
    cancelled.applyCancel('again', T1);
    assert.equal(cancelled.view().cancelReason, 'customer');
  });

  it('when a payment fails, then it is recorded and the order still waits for payment, without an update', () => {
    const m = machineIn('awaiting_payment');
    m.takeEvents();
    m.applyPayment({ status: 'failed', reference: 'pay-0' }, T1);
    assert.equal(m.status, 'awaiting_payment');
    assert.equal(m.view().payments[0]!.status, 'failed');
    assert.equal(m.hasEvents(), false);
    m.applyPayment({ status: 'paid', reference: 'pay-1' }, T1);
    assert.equal(m.status, 'paid');
  });

  it('when the deadline passes unpaid, then the order is cancelled as payment_expired; a paid order does not expire', () => {
    const m = machineIn('awaiting_payment');
    m.takeEvents();
    m.expire(T1);
    assert.deepEqual(
      [m.status, m.view().cancelReason, m.takeEvents()],
      ['cancelled', 'payment_expired', ['payment_expired']],
    );
    const paid = machineIn('paid');
    paid.expire(T1);
    assert.equal(paid.status, 'paid');
  });

  it('when a delivered order is refunded, then it ends refunded; when purged, then its PII is gone', () => {
    const m = machineIn('delivered');
    assert.equal(m.checkPayment({ status: 'refunded', reference: 'ref-1' }), undefined);
    m.applyPayment({ status: 'refunded', reference: 'ref-1' }, T1);
    assert.deepEqual([m.status, m.takeEvents()], ['refunded', ['order_refunded']]);
    m.purge(T1);
    const view = JSON.stringify(m.view());
    assert.equal(m.view().purged, true);
    for (const pii of ['Ana', 'Rua', '351910000001', 'RR123']) assert.ok(!view.includes(pii), pii);
  });

  it('when the input is malformed, then validation names the fields without their values', () => {
    const problems = validateOrderInput(
      orderInput({
        orderId: 'no spaces',
        currency: 'XYZ',
        items: [{ sku: 's', name: 'n', quantity: 0, unitPrice: 1.5, weightGrams: -1 }],
      }),
    );
    assert.deepEqual(problems, [
      'orderId is not a valid order id',
      'currency is not an ISO 4217 code we know',
      'items.0.quantity must be a positive integer',
      'items.0.unitPrice must be integer minor units',
      'items.0.weightGrams must be whole grams',
    ]);
    assert.deepEqual(validateOrderInput(orderInput()), []);
  });

  it('when updates are worded, then money is formatted from minor units and templates get the order details', () => {
    const en = { lang: 'en' as const, timeZone: 'UTC' };
    const m = machineIn('shipped');
    const view = m.view();
    assert.match(orderUpdateText('order_shipped', view, en), /CTT, tracking number RR123456789PT/);
    assert.deepEqual(orderTemplateParameters('order_shipped', view, en), [
      'A-1001',
      'CTT',
      'RR123456789PT',
      'https://track.example/RR1',
    ]);
    const open = machineIn('awaiting_payment').view();
    assert.match(
      orderUpdateText('order_confirmation', open, { ...en, paymentInstructions: 'Pay by MB Way.' }),
      /€25\.00 \+ shipping €3\.00 = €28\.00\.\nPay by MB Way\. Please pay by January 3 at 12:00 AM\./,
    );
    assert.match(orderStatusText(open, en), /waiting for payment: €28\.00 by January 3 at 12:00 AM/);
  });

  it('when the customer writes Portuguese in Portugal, then amounts and dates are written as there, in the client timezone', () => {
    const pt = { lang: 'pt' as const, timeZone: 'Europe/Lisbon', country: 'PT' };
    // Intl separates amount and symbol with a no-break space.
    const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');
    const open = machineIn('awaiting_payment').view();
    assert.equal(
      plain(orderUpdateText('order_confirmation', open, pt)),
      'Obrigado! Pedido A-1001: itens 25,00 € + frete 3,00 € = 28,00 €.\n' +
        'Responda aqui ou use o link de pagamento que enviamos. Pague até 3 de janeiro às 00:00.',
    );
    assert.deepEqual(orderTemplateParameters('order_confirmation', open, pt).map(plain), [
      'A-1001',
      '28,00 €',
      '3 de janeiro às 00:00',
    ]);
    assert.equal(
      orderStatusText(machineIn('shipped').view(), { lang: 'es', timeZone: 'UTC' }),
      'El pedido A-1001 ha salido con CTT, número de seguimiento RR123456789PT.\nSíguelo: https://track.example/RR1',
    );
  });
});
