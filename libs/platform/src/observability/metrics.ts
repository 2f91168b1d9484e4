import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The process's Prometheus registry, exposed at `/metrics`. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request latency by route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: latencyBuckets,
  registers: [metricsRegistry],
});

export const rpcClientDuration = new Histogram({
  name: 'rpc_client_duration_seconds',
  help: 'Latency of RPC calls made over the bus, by subject and outcome',
  labelNames: ['subject', 'outcome'] as const,
  buckets: latencyBuckets,
  registers: [metricsRegistry],
});

export const rpcServerDuration = new Histogram({
  name: 'rpc_server_duration_seconds',
  help: 'Latency of RPC requests handled, by subject and outcome',
  labelNames: ['subject', 'outcome'] as const,
  buckets: latencyBuckets,
  registers: [metricsRegistry],
});

export const errorsTotal = new Counter({
  name: 'errors_total',
  help: 'Errors by kind (http_5xx, rpc_timeout, rpc_no_responders, rpc_error, rpc_handler, event_handler, outbox_publish)',
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});
