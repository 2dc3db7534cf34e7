import type { CommandContext, CommandHandler, CommandResult } from '../../../shared/application/command-handler';
import { newEventId } from '../../../shared/application/event-ids';
import { KeyedQueue } from '../../../shared/application/keyed-queue';
import { isRejection, reject, type Rejection } from '../../../shared/domain/decider';
import { hasAtMostTwoDecimals, toCents } from '../../../shared/domain/money';
import { type PaymentEvent } from '../contracts/payment-events';
import type { Payment, RecordedPayment } from '../domain/payment';
import { chargeRefusal, paymentDecider } from '../domain/payment.decider';
import type { PaymentGateway } from './payment-gateway.port';
import { paymentIdFor, paymentStream } from './payment-stream';

export interface ProcessPaymentRequest {
  readonly orderId: string;
  /** A number with at most two decimals, as in the order's events. */
  readonly amount: number;
  /**
   * The token, or how to read it: read only once the payment is known to have no outcome yet, as a
   * recorded payment needs none (its token may be erased by then). `undefined` when it is gone.
   */
  readonly token: string | (() => Promise<string | undefined>);
}

export interface RefundPaymentRequest {
  readonly orderId: string;
  readonly reason: string;
}

/** `ok` when the payment has an outcome: a declined charge is `ok` too, with `payment.status` FAILED and its reason. */
export type PaymentOutcome =
  | { readonly ok: true; readonly payment: RecordedPayment; readonly position: bigint | undefined }
  | { readonly ok: false; readonly rejection: Rejection };

const recorded = (payment: Payment, position?: bigint): PaymentOutcome =>
  payment.status === 'NONE'
    ? { ok: false, rejection: reject('not_found', 'there is no payment') }
    : { ok: true, payment, position };

const outcome = (result: CommandResult<Payment, PaymentEvent>): PaymentOutcome =>
  result.accepted ? recorded(result.state, result.position) : { ok: false, rejection: result.rejection };

/**
 * Charges and refunds through the gateway, then records what it answered. Calls for one payment
 * run one at a time in this process (calls for different payments side by side), so a payment
 * whose outcome is recorded is answered from its stream and the gateway is asked once; across
 * processes, the payment id is the gateway's idempotency key and the first recorded outcome is final.
 *
 * With a causation id (the event that caused the call), the ids of the events appended derive from
 * it, so a redelivered cause appends nothing twice.
 */
export class PaymentCommands {
  private readonly inTurn = new KeyedQueue();

  constructor(
    private readonly commands: CommandHandler,
    private readonly gateway: PaymentGateway,
  ) {}

  async processPayment(request: ProcessPaymentRequest, causationId?: string): Promise<PaymentOutcome> {
    const { orderId } = request;
    const amountCents = hasAtMostTwoDecimals(request.amount) ? toCents(request.amount) : Number.NaN;
    const refusal = chargeRefusal(amountCents);
    if (refusal !== undefined) return { ok: false, rejection: refusal };
    const paymentId = paymentIdFor(orderId);
    const stream = paymentStream(paymentId);
    return this.inTurn.run(paymentId, async () => {
      const { state } = await this.commands.load(paymentDecider, stream);
      if (state.status !== 'NONE') return recorded(state);
      const token = typeof request.token === 'string' ? request.token : await request.token();
      if (token === undefined) throw new Error(`the payment token of order ${orderId} is gone before its charge`);
      if (token.length === 0) return { ok: false, rejection: reject('invalid', 'a payment token is required') };
      const answer = await this.gateway.charge({ paymentId, orderId, amountCents, token });
      const charge = { paymentId, orderId, amountCents };
      const command = answer.approved
        ? { type: 'RecordPaymentProcessed' as const, ...charge, transactionId: answer.transactionId }
        : { type: 'RecordPaymentFailed' as const, ...charge, reason: answer.reason };
      return outcome(await this.commands.handle(paymentDecider, stream, command, this.context(orderId, causationId)));
    });
  }

  /** Refunds a processed payment, once; a refund asked for again answers the refunded payment. */
  async refundPayment(request: RefundPaymentRequest, causationId?: string): Promise<PaymentOutcome> {
    const { orderId, reason } = request;
    const paymentId = paymentIdFor(orderId);
    const stream = paymentStream(paymentId);
    const command = { type: 'RefundPayment' as const, reason };
    return this.inTurn.run(paymentId, async () => {
      const { state } = await this.commands.load(paymentDecider, stream);
      const decision = paymentDecider.decide(command, state);
      if (isRejection(decision)) return { ok: false, rejection: decision };
      if (decision.length === 0 || state.status !== 'PROCESSED') return recorded(state);
      await this.gateway.refund({ paymentId, transactionId: state.transactionId, amountCents: state.amountCents });
      return outcome(await this.commands.handle(paymentDecider, stream, command, this.context(orderId, causationId)));
    });
  }

  private context(orderId: string, causationId: string | undefined): CommandContext {
    return { correlationId: orderId, causationId: causationId ?? newEventId(), deterministicIds: causationId !== undefined };
  }
}
