/** Every workflow the worker registers. */
export { conversationWorkflow } from './conversation/workflow';
export { deliveryFailureWorkflow } from './delivery-failure/workflow';
