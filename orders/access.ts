import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { SubjectErasedError, type SubjectVault } from '../crypto/vault';
import { findOrder, type OrderRecord } from '../db/orders';
import type { Queryable } from '../db/pool';
import {
  getOrderQuery,
  openedUpdate,
  ORDER_WORKFLOW_TYPE,
  orderStartOptions,
  orderWorkflowId,
  type OrderInput,
  type OrderView,
} from '../workflows/order/contract';
import { viewFromRecord } from './record';

/**
 * How the API and the chat activities reach orders: open one (update-with-start, so the caller gets
 * the computed shipping cost in the same call) and read one.
 */

export interface OrderReadDeps {
  temporal: Client;
  db: Queryable;
  vault: SubjectVault;
}

/**
 * Starts the order's workflow, or finds the running one with that id, and waits until it is priced.
 * `created` says whether this call's request created it. `closed` means an order with that id ran to
 * its end already: the caller should consult the record.
 */
export async function openOrder(
  temporal: Client,
  taskQueue: string,
  input: OrderInput,
): Promise<{ view: OrderView; created: boolean } | { closed: true }> {
  const startWorkflowOperation = new WithStartWorkflowOperation(
    ORDER_WORKFLOW_TYPE,
    orderStartOptions(input, taskQueue),
  );
  try {
    const view = await temporal.workflow.executeUpdateWithStart(openedUpdate, { startWorkflowOperation });
    return { view, created: view.requestId === input.requestId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { closed: true };
    throw err;
  }
}

/**
 * The order as it stands. The record answers first: every update writes it before it returns, so for
 * anything an API caller was told, it is as current as the workflow, and it answers at database speed
 * however many orders the worker holds. The workflow's query answers when there is no record yet
 * (the moment between start and first write). Undefined when there is no such order of this client,
 * its retention ended, or its customer was erased.
 */
export async function readOrder(
  deps: OrderReadDeps,
  clientId: string,
  orderId: string,
): Promise<OrderView | undefined> {
  const recorded = await findOrder(deps.db, clientId, orderId);
  if (recorded) return openRecord(deps, recorded);
  try {
    const view = await deps.temporal.workflow
      .getHandle(orderWorkflowId(clientId, orderId))
      .query(getOrderQuery);
    return view.purged ? undefined : view;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** The database record as a view (optionally only if it is `subjectHash`'s order). */
export async function readOrderRecord(
  deps: Pick<OrderReadDeps, 'db' | 'vault'>,
  clientId: string,
  orderId: string,
  subjectHash?: string,
): Promise<OrderView | undefined> {
  const record = await findOrder(deps.db, clientId, orderId, subjectHash);
  return record && openRecord(deps, record);
}

async function openRecord(
  deps: Pick<OrderReadDeps, 'vault'>,
  record: OrderRecord,
): Promise<OrderView | undefined> {
  try {
    return await viewFromRecord(deps.vault, record);
  } catch (err) {
    if (err instanceof SubjectErasedError) return undefined;
    throw err;
  }
}
