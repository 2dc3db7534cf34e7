import { fromCents } from '../../../shared/domain/money';
import type { OrderLine, OrderStatus, ShippingAddress } from '../contracts/order-events';
import type { ReadOrder } from './order-reader';

/** An order as the API shows it (CONTRACT §3). */
export interface OrderView {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly items: readonly OrderLine[];
  readonly total: number;
  readonly currency: string;
  readonly shippingAddress: ShippingAddress | null;
  readonly paymentId?: string;
  readonly shipmentId?: string;
  readonly trackingNumber?: string;
  readonly reason?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const toOrderView = ({ order, createdAt, updatedAt }: ReadOrder): OrderView => ({
  orderId: order.orderId,
  customerId: order.customerId,
  status: order.status,
  items: order.items,
  total: fromCents(order.totalCents),
  currency: order.currency,
  shippingAddress: order.shippingAddress,
  ...(order.paymentId === undefined ? {} : { paymentId: order.paymentId }),
  ...(order.shipmentId === undefined ? {} : { shipmentId: order.shipmentId }),
  ...(order.trackingNumber === undefined ? {} : { trackingNumber: order.trackingNumber }),
  ...(order.reason === undefined ? {} : { reason: order.reason }),
  createdAt,
  updatedAt,
});
