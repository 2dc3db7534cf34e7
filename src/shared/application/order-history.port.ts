import type { RecordedEvent } from '../../event-store/event-store.port';

/**
 * The events one module keeps for an order, read by that module from its own streams. Every module
 * binds one (`SharedTokens.OrderHistories`), so a reader that needs an order's whole life (the saga
 * view) merges them in store order without knowing how any module names or keys its streams.
 */
export interface OrderHistory {
  eventsOf(orderId: string): Promise<readonly RecordedEvent[]>;
}
