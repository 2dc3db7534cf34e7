export const ShipmentsTokens = {
  /** The application service the order saga calls (create, cancel) and the carrier's API (dispatch, deliver). */
  ShipmentCommands: Symbol.for('shipments.ShipmentCommands'),
  ShipmentQuery: Symbol.for('shipments.ShipmentQuery'),
} as const;
