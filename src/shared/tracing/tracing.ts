import type { Tracer } from '@opentelemetry/api';
import type { Config } from '../config';

export interface Tracing {
  readonly tracer: Tracer;
  /** Sends the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry traces over OTLP/HTTP, only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: otherwise
 * undefined, the SDK is not even loaded, and nothing of the system is wrapped, so tracing costs
 * nothing when off. The provider is registered globally (the AsyncLocalStorage context manager and
 * the W3C trace-context propagator): that is how a span started for a request or a process manager stays
 * the active one across the `await`s of the work it covers. The exporter reads the standard
 * `OTEL_EXPORTER_OTLP_*` variables itself.
 */
export const startTracing = async (config: Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_SERVICE_NAME'>): Promise<Tracing | undefined> => {
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT === undefined) return undefined;
  const [{ OTLPTraceExporter }, { resourceFromAttributes }, { BatchSpanProcessor, NodeTracerProvider }, { ATTR_SERVICE_NAME }] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.OTEL_SERVICE_NAME }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  return { tracer: provider.getTracer('order-platform'), shutdown: () => provider.shutdown() };
};
