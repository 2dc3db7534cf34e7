export const PaymentsTokens = {
  PaymentGateway: Symbol.for('payments.PaymentGateway'),
  /** The application service the order saga calls: process and refund an order's payment. */
  PaymentCommands: Symbol.for('payments.PaymentCommands'),
  PaymentQuery: Symbol.for('payments.PaymentQuery'),
} as const;
