import type {
  ChargeAnswer,
  ChargeRequest,
  PaymentGateway,
  RefundRequest,
} from '../../src/modules/payments/application/payment-gateway.port';

export interface GatewayCall {
  readonly kind: 'charge started' | 'charge answered' | 'refund started' | 'refund answered';
  readonly paymentId: string;
}

/**
 * A test adapter of the PaymentGateway port: passes every call to the gateway it wraps and writes
 * down, in order, when each call started and when it was answered.
 */
export class RecordingPaymentGateway implements PaymentGateway {
  readonly calls: GatewayCall[] = [];
  readonly charges: ChargeRequest[] = [];
  readonly refunds: RefundRequest[] = [];
  /** Makes the next charges throw, as a gateway that cannot be reached. */
  unreachableFor = 0;

  constructor(private readonly inner: PaymentGateway) {}

  async charge(request: ChargeRequest): Promise<ChargeAnswer> {
    this.calls.push({ kind: 'charge started', paymentId: request.paymentId });
    this.charges.push(request);
    if (this.unreachableFor > 0) {
      this.unreachableFor--;
      throw new Error('gateway unreachable');
    }
    const answer = await this.inner.charge(request);
    this.calls.push({ kind: 'charge answered', paymentId: request.paymentId });
    return answer;
  }

  async refund(request: RefundRequest): Promise<void> {
    this.calls.push({ kind: 'refund started', paymentId: request.paymentId });
    this.refunds.push(request);
    await this.inner.refund(request);
    this.calls.push({ kind: 'refund answered', paymentId: request.paymentId });
  }
}
