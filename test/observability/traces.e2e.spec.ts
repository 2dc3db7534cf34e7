import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { eventually } from '../../src/shared/testing/eventually';
import { createProduct, eventsOf, eventuallyStatus, placeOrder } from '../saga/saga-support';
import { startTestSystem, type TestSystem } from '../support/test-system';

/** The SDK as `startTracing` sets it up (registered globally), exporting to memory instead of OTLP. */
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('traces of a real saga', () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem({}, { tracing: { tracer: provider.getTracer('test'), shutdown: async () => undefined } });
    await createProduct(t, 'TRACE-1', 10);
  });
  afterAll(() => t.stop());

  it('makes one order one trace: the request, then every append and process manager step along the causation chain', async () => {
    exporter.reset();
    const orderId = await placeOrder(t, [{ sku: 'TRACE-1', quantity: 1 }]);
    await eventuallyStatus(t, orderId, 'SHIPPED');
    // The last process managers (to OrderShipped) may still be ending.
    const processManagersOf = (types: string[]) => exporter.getFinishedSpans().filter((span) => span.name.startsWith('react ') && types.includes(String(span.attributes['event.type'])));
    await eventually(async () => expect(processManagersOf(['ShipmentCreated']).length).toBeGreaterThan(0));

    const spans = exporter.getFinishedSpans();
    const request = spans.find((span) => span.kind === SpanKind.SERVER && span.name === 'POST /api/orders')!;
    expect(request).toBeDefined();
    const traceId = request.spanContext().traceId;
    const ofOrder = spans.filter((span) => span.spanContext().traceId === traceId);
    const byId = new Map(ofOrder.map((span) => [span.spanContext().spanId, span]));

    // Every event of the order's saga carries a trace context of this trace, written by the span of its append.
    const events = await eventsOf(t, orderId);
    expect(events.length).toBeGreaterThanOrEqual(9);
    for (const event of events) {
      const traceparent = String(event.metadata.traceparent);
      expect(traceparent.split('-')[1]).toBe(traceId);
      const append = byId.get(traceparent.split('-')[2]!)!;
      expect(append.name).toMatch(/^append /);
      expect(append.attributes['event_store.event_types']).toContain(event.type);
    }

    // The OrderPlaced append is the request's child; each process manager is the child of the append that wrote its event,
    // and what a process manager appends is its child: the chain from the request to the last step has no break.
    const placed = events.find((event) => event.type === 'OrderPlaced')!;
    expect(parentOf(byId.get(String(placed.metadata.traceparent).split('-')[2]!)!)).toBe(request.spanContext().spanId);
    const processManagers = ofOrder.filter((span) => span.kind === SpanKind.CONSUMER);
    expect(processManagers.map((span) => span.name)).toEqual(
      expect.arrayContaining(['react inventory-on-orders', 'react orders-on-inventory', 'react payments-on-orders', 'react orders-on-payments', 'react shipments-on-orders', 'react orders-on-shipments']),
    );
    for (const processManager of processManagers) expect(byId.get(parentOf(processManager)!)?.name).toMatch(/^append /);
    const shipped = events.find((event) => event.type === 'OrderShipped')!;
    let span = byId.get(String(shipped.metadata.traceparent).split('-')[2]!);
    const chain: string[] = [];
    while (span !== undefined) {
      chain.unshift(span.name);
      span = byId.get(parentOf(span) ?? '');
    }
    expect(chain[0]).toBe('POST /api/orders');
    expect(chain.filter((name) => name.startsWith('react '))).toHaveLength(6);
  });

  it('continues the trace of a caller that sends a traceparent', async () => {
    exporter.reset();
    const caller = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await t.http().get('/api/products/TRACE-1').set('traceparent', caller).expect(200);
    const server = exporter.getFinishedSpans().find((span) => span.name === 'GET /api/products/:sku')!;
    expect(server.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(parentOf(server)).toBe('b7ad6b7169203331');
  });
});

describe('with tracing off', () => {
  it('creates no span at all, even with an SDK registered in the process, and writes no trace context', async () => {
    const t = await startTestSystem();
    try {
      exporter.reset();
      await createProduct(t, 'TRACE-OFF', 10);
      const orderId = await placeOrder(t, [{ sku: 'TRACE-OFF', quantity: 1 }]);
      await eventuallyStatus(t, orderId, 'SHIPPED');
      expect(exporter.getFinishedSpans()).toEqual([]);
      expect((await eventsOf(t, orderId)).filter((event) => event.metadata.traceparent !== undefined)).toEqual([]);
      expect(t.system.tracer).toBeUndefined();
    } finally {
      await t.stop();
    }
  });
});
