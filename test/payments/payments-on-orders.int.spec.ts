import { createEventStore } from '../../src/event-store/create-event-store';
import type { EventStore, RecordedEvent } from '../../src/event-store/event-store.port';
import type { OrderEvent } from '../../src/modules/orders/contracts/order-events';
import { PaymentCommands } from '../../src/modules/payments/application/payment-commands';
import { paymentsOnOrders } from '../../src/modules/payments/application/payments-saga.process-manager';
import { SimulatedPaymentGateway } from '../../src/modules/payments/application/simulated-payment-gateway';
import { CommandHandler } from '../../src/shared/application/command-handler';
import { loadConfig } from '../../src/shared/config';
import { RecordingPaymentGateway } from './recording-payment-gateway';

const orderId = '0b7f3a52-8c1d-4e3f-9a6b-2d5c7e9f1a3b';
const tokenRef = `payment-token:${orderId}`;
let position = 0n;

/** An order event as the process manager receives it; no Order stream exists in the store behind it. */
const recorded = (event: OrderEvent): RecordedEvent => ({
  id: `00000000-0000-4000-8000-${(++position).toString().padStart(12, '0')}`,
  type: event.type,
  streamName: `Order-${orderId}`,
  revision: Number(position),
  position,
  data: event.data,
  metadata: { correlationId: orderId, causationId: orderId },
  createdAt: new Date('2026-12-01T10:00:00.000Z'),
});

/**
 * Payments learns the payment method from the event it reacts to: the store holds no Order stream
 * here, so a process manager that looked the order up would fail every case below.
 */
describe('payments on orders', () => {
  let store: EventStore;
  let gateway: RecordingPaymentGateway;
  let processManager: ReturnType<typeof paymentsOnOrders>;

  beforeEach(async () => {
    store = await createEventStore(loadConfig({ EVENT_STORE: 'memory' }));
    gateway = new RecordingPaymentGateway(new SimulatedPaymentGateway({ declineRate: 0, delayMs: 0 }));
    processManager = paymentsOnOrders(new PaymentCommands(new CommandHandler(store), gateway), store);
    await store.secrets.keep(tokenRef, 'tok_visa');
  });
  afterEach(() => store.close());

  it('charges a confirmed order with the token its event refers to, then erases the token', async () => {
    await processManager.handle(recorded({ type: 'OrderConfirmed', data: { orderId, amount: 12.5, paymentMethod: { tokenRef } } }));
    expect(gateway.charges).toEqual([expect.objectContaining({ orderId, amountCents: 1250, token: 'tok_visa' })]);
    expect(await store.secrets.read(tokenRef)).toBeUndefined();
  });

  it('erases the token of a rejected order without charging it', async () => {
    await processManager.handle(recorded({ type: 'OrderRejected', data: { orderId, reason: 'insufficient_stock', paymentMethod: { tokenRef } } }));
    expect(gateway.charges).toEqual([]);
    expect(await store.secrets.read(tokenRef)).toBeUndefined();
  });

  it('erases the token of a cancelled order', async () => {
    const cancelled: OrderEvent = { type: 'OrderCancelled', data: { orderId, reason: 'timeout', previousStatus: 'PENDING', paymentMethod: { tokenRef } } };
    await processManager.handle(recorded(cancelled));
    expect(gateway.refunds).toEqual([]);
    expect(await store.secrets.read(tokenRef)).toBeUndefined();
  });
});
