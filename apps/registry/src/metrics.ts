import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The registry's own prom-client Registry: default process metrics plus domain counters. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'registry_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'registry_http_request_duration_seconds',
      help: 'HTTP request duration by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
      registers: [registry],
    }),
    datasetsCreated: new Counter({
      name: 'registry_datasets_created_total',
      help: 'Dataset versions created',
      registers: [registry],
    }),
    versionsCreated: new Counter({
      name: 'registry_model_versions_created_total',
      help: 'Model versions created',
      registers: [registry],
    }),
    uploadRefusals: new Counter({
      name: 'registry_upload_refusals_total',
      help: 'Uploads refused while streaming, by upload kind and the limit passed',
      labelNames: ['upload', 'limit'] as const,
      registers: [registry],
    }),
    gateRefusals: new Counter({
      name: 'registry_promotion_gate_refusals_total',
      help: 'Alias moves refused by a promotion policy, by where the gate read the metric (platform, claimed, none)',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
    accessRefusals: new Counter({
      name: 'registry_access_refusals_total',
      help: 'Requests refused before their body was read: missing or bad token (401), missing scope (403)',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    webhookTargetsRefused: new Counter({
      name: 'registry_webhook_targets_refused_total',
      help: 'Webhooks refused at creation: a non-public target not allow-listed',
      registers: [registry],
    }),
    webhookAttempts: new Counter({
      name: 'registry_webhook_attempts_total',
      help: 'Webhook delivery attempts: delivered, retry or failed (refusals included)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
  };
}
export type RegistryMetrics = ReturnType<typeof createMetrics>;
