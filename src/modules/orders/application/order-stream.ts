import { orderCategory } from '../contracts/order-events';

/** The order's own stream: private to the orders module (others learn of an order from the events it publishes). */
export const orderStream = (orderId: string): string => `${orderCategory}-${orderId}`;
