import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics. Every process has its own registry (scrape each: the API at `/metrics`, each
 * worker at `WORKER_METRICS_PORT`). Labels are low-cardinality and never carry PII: no user, phone
 * number or message id, only client ids, types, outcomes and error codes.
 */
export function createMetrics(service: 'api' | 'worker') {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    webhookRequests: new Counter({
      name: 'aura_webhook_requests_total',
      help: 'Webhook deliveries by outcome (accepted, unauthorized, bad_request, too_large, unavailable)',
      labelNames: ['outcome'],
      registers,
    }),
    webhookDuration: new Histogram({
      name: 'aura_webhook_duration_seconds',
      help: 'Time to acknowledge a webhook delivery, by outcome',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    messagesIn: new Counter({
      name: 'aura_messages_in_total',
      help: 'Inbound WhatsApp messages handed to conversations, by type',
      labelNames: ['type'],
      registers,
    }),
    messagesOut: new Counter({
      name: 'aura_messages_out_total',
      help: 'Outbound messages by content type and outcome (sent, template, refused:<reason>)',
      labelNames: ['type', 'outcome'],
      registers,
    }),
    sendsRecovered: new Counter({
      name: 'aura_sends_recovered_total',
      help: 'Retried sends found already accepted by Meta through their statuses, so not sent again',
      registers,
    }),
    graphErrors: new Counter({
      name: 'aura_graph_errors_total',
      help: 'Graph API errors by Meta error code and classification',
      labelNames: ['code', 'type'],
      registers,
    }),
    graphAlerts: new Counter({
      name: 'aura_graph_alerts_total',
      help: 'Graph API errors an operator must act on (token expired, spam limit)',
      labelNames: ['type', 'client_id'],
      registers,
    }),
    nluDuration: new Histogram({
      name: 'aura_nlu_duration_seconds',
      help: 'NLU latency by engine',
      labelNames: ['engine'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    graphTokenRejected: new Gauge({
      name: 'aura_client_graph_token_rejected',
      help: 'Clients whose Graph access token Graph rejected (error 190) and that were not rotated since (1 each)',
      labelNames: ['client_id'],
      registers,
    }),
    templatesBlocked: new Gauge({
      name: 'aura_client_templates_blocked',
      help: 'Templates Meta paused or disabled, per client and status (sends that need them are refused)',
      labelNames: ['client_id', 'status'],
      registers,
    }),
    templateSyncs: new Counter({
      name: 'aura_template_syncs_total',
      help: "Syncs of clients' template lists from the Graph API, by outcome (synced, failed)",
      labelNames: ['outcome'],
      registers,
    }),
    handoffQueueDepth: new Gauge({
      name: 'aura_handoff_queue_depth',
      help: 'Conversations waiting for an agent',
      registers,
    }),
    handoffWait: new Histogram({
      name: 'aura_handoff_wait_seconds',
      help: 'Time from handoff request to an agent accepting (or the wait ending)',
      labelNames: ['outcome'],
      buckets: [5, 30, 60, 300, 900, 1800, 3600, 7200],
      registers,
    }),
    optOuts: new Counter({
      name: 'aura_opt_outs_total',
      help: 'Opt-outs (STOP) and opt-ins (START)',
      labelNames: ['event'],
      registers,
    }),
    erasures: new Counter({
      name: 'aura_erasures_total',
      help: 'Completed subject erasures',
      registers,
    }),
    webhookAttempts: new Counter({
      name: 'aura_webhook_attempts_total',
      help: 'Outbound event delivery attempts, by outcome (delivered, rejected, unreachable)',
      labelNames: ['outcome'],
      registers,
    }),
    webhookEndpointsDisabled: new Counter({
      name: 'aura_webhook_endpoints_disabled_total',
      help: 'Event endpoints disabled after failing for the whole retry window (alert on any increase)',
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
