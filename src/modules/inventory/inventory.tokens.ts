export const InventoryTokens = {
  /** The application service the order saga calls: reserve, release and deduct an order's stock. */
  InventoryCommands: Symbol.for('inventory.InventoryCommands'),
  ProductQueries: Symbol.for('inventory.ProductQueries'),
} as const;
