export const OrdersTokens = {
  OrderCommands: Symbol.for('orders.OrderCommands'),
  OrderReader: Symbol.for('orders.OrderReader'),
  OrderListQuery: Symbol.for('orders.OrderListQuery'),
  ProductCatalog: Symbol.for('orders.ProductCatalog'),
} as const;
