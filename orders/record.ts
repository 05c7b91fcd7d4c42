import type { SubjectVault } from '../crypto/vault';
import type { OrderRecord } from '../db/orders';
import type { OrderView } from '../workflows/order/contract';

/**
 * The mapping between an order's view (what the workflow holds) and its database record: the PII
 * (customer, address, items, shipment) is sealed in one field under the customer's data key.
 */
const DETAILS_FIELD = 'order.details';

type Details = Pick<OrderView, 'customer' | 'deliveryAddress' | 'items' | 'shipment'>;

export async function recordFromView(
  vault: SubjectVault,
  clientId: string,
  view: OrderView,
): Promise<OrderRecord> {
  const details: Details = {
    customer: view.customer,
    deliveryAddress: view.deliveryAddress,
    items: view.items,
    shipment: view.shipment,
  };
  return {
    clientId,
    orderId: view.orderId,
    subjectHash: view.subjectHash,
    status: view.status,
    currency: view.currency,
    subtotal: view.subtotal,
    shippingCost: view.shippingCost,
    total: view.total,
    paymentDeadline: view.paymentDeadline,
    cancelReason: view.cancelReason,
    payments: view.payments,
    detailsEnc: await vault.seal(
      { clientId, subjectHash: view.subjectHash },
      DETAILS_FIELD,
      JSON.stringify(details),
    ),
    contentHash: view.contentHash,
    source: view.source,
    version: view.version,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    completedAt: view.completedAt,
  };
}

/** Rebuilds the view from the record; throws `SubjectErasedError` when the customer was erased. */
export async function viewFromRecord(vault: SubjectVault, r: OrderRecord): Promise<OrderView> {
  const details = JSON.parse(
    await vault.openText({ clientId: r.clientId, subjectHash: r.subjectHash }, DETAILS_FIELD, r.detailsEnc),
  ) as Details;
  return {
    ...details,
    orderId: r.orderId,
    status: r.status as OrderView['status'],
    currency: r.currency,
    subtotal: r.subtotal,
    shippingCost: r.shippingCost,
    total: r.total,
    paymentDeadline: r.paymentDeadline,
    payments: r.payments as OrderView['payments'],
    cancelReason: r.cancelReason,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    completedAt: r.completedAt,
    subjectHash: r.subjectHash,
    contentHash: r.contentHash,
    requestId: '',
    source: r.source as OrderView['source'],
    version: r.version,
    purged: false,
  };
}
