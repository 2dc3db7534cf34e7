/**
 * The process managers the system runs by default (the carrier simulation is off unless its
 * delays are set), sorted: what the admin view and the consumer groups must show, one each.
 */
export const processManagerNames = [
  'inventory-on-orders',
  'inventory-on-shipments',
  'orders-on-inventory',
  'orders-on-payments',
  'orders-on-shipments',
  'payments-on-orders',
  'shipments-on-orders',
] as const;
