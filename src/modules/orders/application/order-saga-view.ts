import type { EventStore, RecordedEvent } from '../../../event-store/event-store.port';
import { categoryOf, idOf } from '../../../event-store/stream-name';
import { inventoryStream } from '../../inventory/contracts/inventory-events';
import { paymentIdFor, paymentStream } from '../../payments/contracts/payment-events';
import { shipmentIdFor, shipmentStream } from '../../shipments/contracts/shipment-events';
import { type OrderPlaced, type OrderStatus, orderStream } from '../contracts/order-events';

/** `skipped`: the order settled before this step could run (a REJECTED order is never charged): it will never happen. */
export type StepStatus = 'pending' | 'completed' | 'failed' | 'compensated' | 'skipped';

/** An event in the words of the event envelope (CONTRACT §2, `GET /api/events`). */
export interface SagaEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly position: string;
  readonly occurredAt: string;
}

export interface SagaView {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly steps: { readonly inventory: StepStatus; readonly payment: StepStatus; readonly shipping: StepStatus };
  /** The order is cancelled (reason `timeout`) if it is not PAID by then. */
  readonly deadline: string;
  readonly compensations: readonly SagaEvent[];
  readonly history: readonly SagaEvent[];
}

const settled = new Set<OrderStatus>(['REJECTED', 'PAYMENT_FAILED', 'CANCELLED']);

const sagaEvent = (event: RecordedEvent): SagaEvent => ({
  eventId: event.id,
  eventType: event.type,
  aggregateType: categoryOf(event.streamName),
  aggregateId: idOf(event.streamName),
  position: event.position.toString(),
  occurredAt: event.createdAt.toISOString(),
});

const stepAfter: Record<string, { step: keyof SagaView['steps']; status: StepStatus }> = {
  InventoryReserved: { step: 'inventory', status: 'completed' },
  InventoryReservationFailed: { step: 'inventory', status: 'failed' },
  InventoryReleased: { step: 'inventory', status: 'compensated' },
  PaymentProcessed: { step: 'payment', status: 'completed' },
  PaymentFailed: { step: 'payment', status: 'failed' },
  PaymentRefunded: { step: 'payment', status: 'compensated' },
  ShipmentCreated: { step: 'shipping', status: 'completed' },
  ShipmentCancelled: { step: 'shipping', status: 'compensated' },
};

const compensationTypes = new Set(['InventoryReleased', 'PaymentRefunded', 'ShipmentCancelled']);

const statusAfter: Record<string, OrderStatus> = {
  OrderPlaced: 'PENDING',
  OrderConfirmed: 'CONFIRMED',
  OrderRejected: 'REJECTED',
  OrderPaid: 'PAID',
  OrderPaymentFailed: 'PAYMENT_FAILED',
  OrderShipped: 'SHIPPED',
  OrderDelivered: 'DELIVERED',
  OrderCancelled: 'CANCELLED',
};

/**
 * The process manager's state for one order, built from the events of its life: the order's own
 * stream and the streams the other modules keep for it (their ids derive from the order id).
 */
export class OrderSagaView {
  constructor(private readonly store: EventStore) {}

  async read(orderId: string): Promise<SagaView | undefined> {
    const streams = [
      orderStream(orderId),
      inventoryStream(orderId),
      paymentStream(paymentIdFor(orderId)),
      shipmentStream(shipmentIdFor(orderId)),
    ];
    const events = (await Promise.all(streams.map((stream) => this.store.readStream(stream)))).flat();
    const placed = events.find((event) => event.type === 'OrderPlaced');
    if (placed === undefined) return undefined;
    events.sort((a, b) => (a.position < b.position ? -1 : 1));
    const steps: Record<keyof SagaView['steps'], StepStatus> = { inventory: 'pending', payment: 'pending', shipping: 'pending' };
    let status: OrderStatus = 'PENDING';
    for (const event of events) {
      const step = stepAfter[event.type];
      if (step !== undefined) steps[step.step] = step.status;
      status = statusAfter[event.type] ?? status;
    }
    // A failed or cancelled order runs no further step: what is still pending then will never happen.
    if (settled.has(status)) {
      for (const step of Object.keys(steps) as Array<keyof typeof steps>) if (steps[step] === 'pending') steps[step] = 'skipped';
    }
    return {
      orderId,
      status,
      steps,
      deadline: (placed.data as OrderPlaced['data']).paymentDueBy,
      compensations: events.filter((event) => compensationTypes.has(event.type)).map(sagaEvent),
      history: events.map(sagaEvent),
    };
  }
}
