import type { RecordedEvent } from '../../../event-store/event-store.port';
import { categoryOf, idOf } from '../../../event-store/stream-name';
import type { OrderHistory } from '../../../shared/application/order-history.port';
import { asReservationEvent } from '../../inventory/contracts/inventory-events';
import { asPaymentEvent } from '../../payments/contracts/payment-events';
import { asShipmentEvent } from '../../shipments/contracts/shipment-events';
import { asOrderEvent, type OrderStatus } from '../contracts/order-events';
import { evolveOrder, initialOrder, type Order } from '../domain/order';

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

type Step = 'inventory' | 'payment' | 'shipping';

export interface SagaView {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly steps: { readonly [step in Step]: StepStatus };
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

type StepOutcome = { readonly step: Step; readonly status: StepStatus } | undefined;

const inventoryStep = (event: RecordedEvent): StepOutcome => {
  const reservation = asReservationEvent(event);
  switch (reservation?.type) {
    case 'InventoryReserved':
      return { step: 'inventory', status: 'completed' };
    case 'InventoryReservationFailed':
      return { step: 'inventory', status: 'failed' };
    case 'InventoryReleased':
      return { step: 'inventory', status: 'compensated' };
    case 'InventoryReservationRequested':
    case 'InventoryDeducted':
    case undefined:
      return undefined;
    default: {
      const unknownEvent: never = reservation;
      return unknownEvent;
    }
  }
};

const paymentStep = (event: RecordedEvent): StepOutcome => {
  const payment = asPaymentEvent(event);
  switch (payment?.type) {
    case 'PaymentProcessed':
      return { step: 'payment', status: 'completed' };
    case 'PaymentFailed':
      return { step: 'payment', status: 'failed' };
    case 'PaymentRefunded':
      return { step: 'payment', status: 'compensated' };
    case undefined:
      return undefined;
    default: {
      const unknownEvent: never = payment;
      return unknownEvent;
    }
  }
};

const shippingStep = (event: RecordedEvent): StepOutcome => {
  const shipment = asShipmentEvent(event);
  switch (shipment?.type) {
    case 'ShipmentCreated':
      return { step: 'shipping', status: 'completed' };
    case 'ShipmentCancelled':
      return { step: 'shipping', status: 'compensated' };
    case 'ShipmentDispatched':
    case 'ShipmentDelivered':
    case undefined:
      return undefined;
    default: {
      const unknownEvent: never = shipment;
      return unknownEvent;
    }
  }
};

/** What an event of another module did to its step of the saga; a compensation is a step `compensated`. */
const stepOf = (event: RecordedEvent): StepOutcome => inventoryStep(event) ?? paymentStep(event) ?? shippingStep(event);

/**
 * The process manager's state for one order, built from the events of its life. Each module hands
 * over the events it keeps for the order (its `OrderHistory`, read from its own streams), so this
 * view names no module's streams; the order's status is the orders module's own fold (`evolveOrder`).
 * The histories are read from the streams themselves, so the view reads its own writes.
 */
export class OrderSagaView {
  constructor(private readonly histories: readonly OrderHistory[]) {}

  async read(orderId: string): Promise<SagaView | undefined> {
    const events = (await Promise.all(this.histories.map((history) => history.eventsOf(orderId)))).flat();
    events.sort((a, b) => (a.position < b.position ? -1 : 1));
    const steps: Record<Step, StepStatus> = { inventory: 'pending', payment: 'pending', shipping: 'pending' };
    const compensations: SagaEvent[] = [];
    let order: Order = initialOrder;
    for (const event of events) {
      const orderEvent = asOrderEvent(event);
      if (orderEvent !== undefined) order = evolveOrder(order, orderEvent);
      const step = stepOf(event);
      if (step === undefined) continue;
      steps[step.step] = step.status;
      if (step.status === 'compensated') compensations.push(sagaEvent(event));
    }
    if (order.status === 'NONE') return undefined;
    // A failed or cancelled order runs no further step: what is still pending then will never happen.
    if (settled.has(order.status)) {
      for (const step of Object.keys(steps) as Step[]) if (steps[step] === 'pending') steps[step] = 'skipped';
    }
    return { orderId, status: order.status, steps, deadline: order.paymentDueBy, compensations, history: events.map(sagaEvent) };
  }
}
