import { createHash } from 'node:crypto';
import type { ChargeAnswer, ChargeRequest, PaymentGateway, RefundRequest } from './payment-gateway.port';

export interface SimulatedGatewayOptions {
  /** PAYMENT_DECLINE_RATE: the share (0..1) of payments declined, other than the test tokens' fixed answers. */
  readonly declineRate: number;
  /** PAYMENT_DELAY_MS: how long every answer takes. */
  readonly delayMs: number;
}

export const declinedToken = 'tok_chargeDeclined';
export const declinedReason = 'card_declined';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Where a payment id falls in [0, 1): the first 4 bytes of sha256(paymentId) over 2^32. */
export const declineDraw = (paymentId: string): number => digest(paymentId).readUInt32BE(0) / 2 ** 32;

/**
 * The payment gateway CONTRACT §4 describes, simulated in process:
 *
 * - `tok_chargeDeclined` is declined with `card_declined`;
 * - any other token (`tok_visa` included) is declined, also with `card_declined` (a card issuer's
 *   generic "do not honour"), when the payment id's draw falls below PAYMENT_DECLINE_RATE, and
 *   approved otherwise. The draw is a function of the payment id, not of Math.random, so a charge
 *   retried with the same idempotency key gets the same answer, as from a real gateway; across
 *   payment ids it is uniform, so the rate is the share declined;
 * - the transaction id derives from the payment id, so asking again answers the same (an
 *   idempotent charge) with nothing remembered: memory stays flat however many orders are paid;
 * - every answer waits PAYMENT_DELAY_MS on a timer of its own, so payments run side by side and
 *   no payment waits behind another's.
 */
export class SimulatedPaymentGateway implements PaymentGateway {
  constructor(private readonly options: SimulatedGatewayOptions) {}

  async charge(request: ChargeRequest): Promise<ChargeAnswer> {
    await this.delay();
    return this.decide(request);
  }

  async refund(_request: RefundRequest): Promise<void> {
    await this.delay();
  }

  private decide({ paymentId, token }: ChargeRequest): ChargeAnswer {
    if (token === declinedToken || declineDraw(paymentId) < this.options.declineRate) {
      return { approved: false, reason: declinedReason };
    }
    return { approved: true, transactionId: `txn_${digest(`transaction:${paymentId}`).toString('hex').slice(0, 24)}` };
  }

  private delay(): Promise<void> {
    const { delayMs } = this.options;
    return delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, delayMs)) : Promise.resolve();
  }
}
