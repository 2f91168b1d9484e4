import {
  context,
  type Context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

export interface TracingOptions {
  /**
   * Sends every span here as it ends, instead of OTLP (tests pass an
   * `InMemorySpanExporter` and read the spans back).
   */
  exporter?: SpanExporter;
}

export interface Tracing {
  /** Whether spans are recorded and exported; otherwise only trace ids are made and passed on. */
  readonly exporting: boolean;
  /** Exports the spans that ended and are still buffered (at shutdown). */
  flush(): Promise<void>;
}

export { SpanKind } from '@opentelemetry/api';

const propagator = new W3CTraceContextPropagator();
// A proxy: it follows the provider `startTracing` registers later.
const tracer = trace.getTracer('octave');
let current: Tracing | undefined;

/**
 * Sets up OpenTelemetry tracing for this process, once: the first call wins and later
 * calls return the same handle (tests start several apps in one process).
 *
 * Spans are exported over OTLP/HTTP (batched) when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set. Otherwise nothing is recorded, but
 * trace ids are still created and passed along (logs carry them, and a downstream
 * process that does export continues the trace). No auto-instrumentation: spans are
 * made where Octave crosses a process boundary (HTTP in, RPC out and in, events in).
 */
export function startTracing(serviceName: string, opts: TracingOptions = {}): Tracing {
  if (current) return current;
  const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  let processor: SpanProcessor | undefined;
  if (opts.exporter) processor = new SimpleSpanProcessor({ exporter: opts.exporter });
  // The exporter reads the endpoint, headers and timeout from the OTEL_* variables itself.
  else if (endpoint) processor = new BatchSpanProcessor({ exporter: new OTLPTraceExporter() });

  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    // Not exporting: spans are not even recorded (the cheapest), yet ids are generated.
    sampler: processor ? new ParentBasedSampler({ root: new AlwaysOnSampler() }) : new AlwaysOffSampler(),
    spanProcessors: processor ? [processor] : [],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(propagator);
  trace.setGlobalTracerProvider(provider);
  current = { exporting: processor !== undefined, flush: () => provider.forceFlush() };
  return current;
}

/** Headers that trace context is read from: NATS headers, or a lookup over HTTP headers. */
export interface TraceHeaderSource {
  get(name: string): string | string[] | null | undefined;
}

/** Headers that trace context is written to (NATS headers). */
export interface TraceHeaderTarget {
  set(name: string, value: string): unknown;
}

const getter: TextMapGetter<TraceHeaderSource> = {
  get: (carrier, key) => carrier.get(key) || undefined,
  // The W3C propagator looks up its two headers by name and never lists them.
  keys: () => [],
};

const setter: TextMapSetter<TraceHeaderTarget> = {
  set: (carrier, key, value) => {
    carrier.set(key, value);
  },
};

/** Writes the trace context (`traceparent`, `tracestate`) of `ctx`, by default the current one, into outgoing headers. */
export function injectTrace(headers: TraceHeaderTarget, ctx: Context = context.active()): void {
  propagator.inject(ctx, headers, setter);
}

/**
 * The trace context that incoming headers carry, over an empty context: work started
 * by a message continues its sender's trace, never whatever was active when it arrived.
 */
export function extractTrace(headers: TraceHeaderSource | undefined): Context {
  return headers ? propagator.extract(ROOT_CONTEXT, headers, getter) : ROOT_CONTEXT;
}

/** Runs `fn` in the trace context that incoming headers carry. */
export function withExtractedTrace<T>(headers: TraceHeaderSource | undefined, fn: () => T): T {
  return context.with(extractTrace(headers), fn);
}

/** The W3C `traceparent` of the current span, to store with work that happens later (an outbox event). */
export function currentTraceparent(): string | undefined {
  let traceparent: string | undefined;
  injectTrace({ set: (name, value) => (name === 'traceparent' ? (traceparent = value) : undefined) });
  return traceparent;
}

/** The trace id of the current span, for log lines. */
export function currentTraceId(): string | undefined {
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? span.traceId : undefined;
}

/**
 * Starts a span, a child of `parent` (by default the current context), and returns it
 * with the context in which it is the current span (run the work in it with
 * `runInTraceContext`). The caller ends it.
 */
export function startSpan(
  name: string,
  opts: { kind: SpanKind; attributes?: Attributes; parent?: Context },
): { span: Span; context: Context } {
  const parent = opts.parent ?? context.active();
  const span = tracer.startSpan(name, { kind: opts.kind, attributes: opts.attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** Runs `fn` with `ctx` as the current trace context. */
export function runInTraceContext<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn);
}

/** Marks a span failed, with the exception when there is one. */
export function failSpan(span: Span, err: unknown, message?: string): void {
  if (err instanceof Error) span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: message ?? (err instanceof Error ? err.message : undefined) });
}
