/** Every workflow the worker registers. */
export { conversationWorkflow } from './conversation/workflow';
export { erasureWorkflow } from './erasure/workflow';
export { retentionWorkflow } from './retention/workflow';
export { orderWorkflow } from './order/workflow';
export { deliveryFailureWorkflow } from './delivery-failure/workflow';
export { webhookEndpointWorkflow } from './webhook-endpoint/workflow';
export { templateSyncWorkflow, templateRefreshWorkflow } from './templates/workflow';
