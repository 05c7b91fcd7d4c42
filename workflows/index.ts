/** Every workflow the worker registers. */
export { conversationWorkflow } from './conversation/workflow';
export { orderWorkflow } from './order/workflow';
