import type { SecretStore } from '../../../event-store/event-store.port';
import { type CommandContext, type CommandHandler, type CommandResult } from '../../../shared/application/command-handler';
import { deterministicId, newEventId } from '../../../shared/application/event-ids';
import { reject, type Rejection } from '../../../shared/domain/decider';
import { type OrderEvent, type ShippingAddress } from '../contracts/order-events';
import type { Order } from '../domain/order';
import { type OrderCommand, orderDecider } from '../domain/order.decider';
import type { Clock } from '../../../shared/tokens';
import type { IdempotencyKeys } from './idempotency-keys';
import type { ProductCatalog } from './product-catalog.port';
import { orderStream } from './order-stream';

export interface PlaceOrderRequest {
  readonly customerId: string;
  readonly items: ReadonlyArray<{ readonly sku: string; readonly quantity: number }>;
  readonly shippingAddress: ShippingAddress;
  readonly paymentMethod?: { readonly token: string };
}

export type Outcome =
  | {
      readonly ok: true;
      readonly orderId: string;
      readonly position: bigint | undefined;
      /** The order as decided on, at `revision` (after this command's events, if it appended any). */
      readonly state: Order;
      readonly revision: number;
    }
  | { readonly ok: false; readonly rejection: Rejection };

const defaultPaymentToken = 'tok_visa';

/** Where an order's payment token waits for its charge, apart from the log: OrderPlaced names this, not the token. */
export const paymentTokenRef = (orderId: string): string => `payment-token:${orderId}`;

const outcome = (orderId: string, result: CommandResult<Order, OrderEvent>): Outcome =>
  result.accepted
    ? { ok: true, orderId, position: result.position, state: result.state, revision: result.revision }
    : { ok: false, rejection: result.rejection };

/** The orders module's commands: placing and cancelling from the API, and the saga's steps. */
export class OrderCommands {
  constructor(
    private readonly commands: CommandHandler,
    private readonly catalog: ProductCatalog,
    private readonly clock: Clock,
    private readonly sagaTimeoutMs: number,
    private readonly idempotency: IdempotencyKeys,
    private readonly secrets: SecretStore,
  ) {}

  /**
   * With an Idempotency-Key, the order id and the event id derive from the key (keyed with the
   * installation's secret), so the same key with the same request answers the same order and two
   * racing requests place one order. The payment token is kept apart from the log before the
   * OrderPlaced that refers to it; not again for an order placed already, whose token may be spent.
   */
  async place(request: PlaceOrderRequest, idempotencyKey?: string): Promise<Outcome> {
    const entries = await this.catalog.find(request.items.map((item) => item.sku));
    const unknownSkus = request.items.map((item) => item.sku).filter((sku) => !entries.has(sku));
    if (unknownSkus.length > 0) {
      return { ok: false, rejection: reject('invalid', `unknown sku: ${unknownSkus.join(', ')}`, { unknownSkus }) };
    }
    const keyed = idempotencyKey === undefined ? undefined : await this.idempotency.resolve(idempotencyKey, request, (id) => this.isPlaced(id));
    const orderId = keyed?.orderId ?? newEventId();
    const tokenRef = paymentTokenRef(orderId);
    if (keyed?.placed !== true) await this.secrets.keep(tokenRef, request.paymentMethod?.token ?? defaultPaymentToken);
    const now = this.clock();
    const command: OrderCommand = {
      type: 'PlaceOrder',
      orderId,
      customerId: request.customerId,
      lines: request.items.map(({ sku, quantity }) => {
        const entry = entries.get(sku)!;
        return { sku, name: entry.name, quantity, unitPriceCents: entry.priceCents };
      }),
      currency: entries.get(request.items[0]!.sku)!.currency,
      shippingAddress: request.shippingAddress,
      paymentTokenRef: tokenRef,
      paymentDueBy: new Date(now.getTime() + this.sagaTimeoutMs).toISOString(),
      ...(keyed === undefined ? {} : { requestHash: keyed.requestHash }),
      placedAt: now.toISOString(),
    };
    const context: CommandContext = {
      correlationId: orderId,
      causationId: keyed?.causationId ?? newEventId(),
      deterministicIds: keyed !== undefined,
    };
    return outcome(orderId, await this.commands.handle(orderDecider, orderStream(orderId), command, context));
  }

  private async isPlaced(orderId: string): Promise<boolean> {
    return (await this.commands.load(orderDecider, orderStream(orderId))).state.status !== 'NONE';
  }

  /** `ifMatch`: the order's revisions the caller accepts (HTTP If-Match), else `PreconditionFailed`. */
  async cancel(orderId: string, reason: string, options: { readonly causationId?: string; readonly ifMatch?: readonly number[] } = {}): Promise<Outcome> {
    const context = { correlationId: orderId, causationId: options.causationId ?? newEventId(), ...(options.ifMatch === undefined ? {} : { ifMatch: options.ifMatch }) };
    return this.step(orderId, { type: 'CancelOrder', reason, at: this.clock().toISOString() }, context);
  }

  /**
   * Cancels an order whose payment deadline passed, if it is still not PAID: decided on the
   * order's own stream, so a due list that lags behind an OrderPaid cannot cancel a paid order.
   */
  async timeOut(orderId: string): Promise<Outcome> {
    return this.step(
      orderId,
      { type: 'TimeOutOrder', at: this.clock().toISOString() },
      { correlationId: orderId, causationId: deterministicId(orderId, 'payment-deadline'), deterministicIds: true },
    );
  }

  /** A step of the saga, caused by an event: redelivering the event appends nothing twice. */
  async step(orderId: string, command: OrderCommand, context: CommandContext): Promise<Outcome> {
    return outcome(orderId, await this.commands.handle(orderDecider, orderStream(orderId), command, context));
  }
}
