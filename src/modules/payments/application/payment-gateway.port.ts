import type { Cents } from '../../../shared/domain/money';

export interface ChargeRequest {
  /** The idempotency key: charging the same payment id again answers the first answer and charges nothing more. */
  readonly paymentId: string;
  readonly orderId: string;
  readonly amountCents: Cents;
  /** The payment method's token, e.g. `tok_visa`. */
  readonly token: string;
}

export type ChargeAnswer =
  | { readonly approved: true; readonly transactionId: string }
  | { readonly approved: false; readonly reason: string };

export interface RefundRequest {
  /** The idempotency key: refunding the same payment again refunds nothing more. */
  readonly paymentId: string;
  readonly transactionId: string;
  readonly amountCents: Cents;
}

/** The payment service provider. A declined charge is an answer; a rejected promise means the gateway could not be asked. */
export interface PaymentGateway {
  charge(request: ChargeRequest): Promise<ChargeAnswer>;
  refund(request: RefundRequest): Promise<void>;
}
