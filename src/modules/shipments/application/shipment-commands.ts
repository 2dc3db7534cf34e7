import { createHash } from 'node:crypto';
import type { CommandContext, CommandHandler, CommandResult } from '../../../shared/application/command-handler';
import { newEventId } from '../../../shared/application/event-ids';
import { reject, type Rejection } from '../../../shared/domain/decider';
import type { Clock } from '../../../shared/tokens';
import { type ShipmentEvent } from '../contracts/shipment-events';
import type { ExistingShipment, Shipment } from '../domain/shipment';
import { type ShipmentCommand, shipmentDecider } from '../domain/shipment.decider';
import { shipmentIdFor, shipmentStream } from './shipment-stream';

const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `TRK` and 12 base32 characters (60 bits) of sha256(shipmentId): the same shipment always gets the same number. */
export const trackingNumberFor = (shipmentId: string): string => {
  const digest = createHash('sha256').update(shipmentId).digest();
  let bits = digest.readBigUInt64BE(0) >> 4n;
  let characters = '';
  for (let n = 0; n < 12; n++) {
    characters = base32[Number(bits & 31n)]! + characters;
    bits >>= 5n;
  }
  return `TRK${characters}`;
};

export type ShipmentOutcome =
  | { readonly ok: true; readonly shipment: ExistingShipment; readonly position: bigint | undefined; readonly revision: number }
  | { readonly ok: false; readonly rejection: Rejection };

const outcome = (result: CommandResult<Shipment, ShipmentEvent>): ShipmentOutcome => {
  if (!result.accepted) return { ok: false, rejection: result.rejection };
  if (result.state.status === 'NONE') throw new Error('an accepted shipment command left no shipment');
  return { ok: true, shipment: result.state, position: result.position, revision: result.revision };
};

/**
 * The shipments module's commands: creating an order's shipment and cancelling it are the saga's;
 * dispatching and delivering are the carrier's (the admin API). The time of each comes from the
 * clock, here, and goes into the command. With a causation id (the event that caused the call),
 * the ids of the events appended derive from it, so a redelivered cause appends nothing twice.
 */
export class ShipmentCommands {
  constructor(
    private readonly commands: CommandHandler,
    private readonly clock: Clock,
    /**
     * A shipment may leave only once its order is SHIPPED. Orders decides SHIPPED and CANCELLED, and
     * they exclude each other (a cancel is refused once SHIPPED), so an order seen SHIPPED can never
     * be cancelled afterwards: a cancelled order's shipment can never be dispatched.
     */
    private readonly isOrderShipped: (orderId: string) => Promise<boolean>,
  ) {}

  async create(orderId: string, causationId?: string): Promise<ShipmentOutcome> {
    const shipmentId = shipmentIdFor(orderId);
    const trackingNumber = trackingNumberFor(shipmentId);
    const command: ShipmentCommand = { type: 'CreateShipment', shipmentId, orderId, trackingNumber, createdAt: this.now() };
    return this.handle(shipmentId, command, orderId, causationId);
  }

  /**
   * `ifMatch`: the shipment's revisions the caller accepts (HTTP If-Match), else `PreconditionFailed`.
   * `orderShipped`: the caller holds the order's `OrderShipped` (the carrier's pick-up reacts to it), so nothing need be looked up.
   */
  async dispatch(
    shipmentId: string,
    { causationId, ifMatch, orderShipped = false }: { readonly causationId?: string; readonly ifMatch?: readonly number[]; readonly orderShipped?: boolean } = {},
  ): Promise<ShipmentOutcome> {
    const { state } = await this.commands.load(shipmentDecider, shipmentStream(shipmentId));
    if (state.status !== 'NONE' && state.status !== 'CANCELLED' && !orderShipped && !(await this.isOrderShipped(state.orderId))) {
      return { ok: false, rejection: reject('conflict', `order ${state.orderId} is not SHIPPED: the shipment cannot leave yet`) };
    }
    return this.transition(shipmentId, { type: 'DispatchShipment', dispatchedAt: this.now() }, causationId, ifMatch);
  }

  async deliver(shipmentId: string, causationId?: string, ifMatch?: readonly number[]): Promise<ShipmentOutcome> {
    return this.transition(shipmentId, { type: 'DeliverShipment', deliveredAt: this.now() }, causationId, ifMatch);
  }

  async cancel(shipmentId: string, reason: string, causationId?: string): Promise<ShipmentOutcome> {
    return this.transition(shipmentId, { type: 'CancelShipment', reason, cancelledAt: this.now() }, causationId);
  }

  private async transition(
    shipmentId: string,
    command: ShipmentCommand,
    causationId: string | undefined,
    ifMatch?: readonly number[],
  ): Promise<ShipmentOutcome> {
    // The shipment's order id is the correlation id of what it appends; a shipment's order never changes.
    const { state } = await this.commands.load(shipmentDecider, shipmentStream(shipmentId));
    if (state.status === 'NONE') return { ok: false, rejection: reject('not_found', `shipment ${shipmentId} was not found`) };
    return this.handle(shipmentId, command, state.orderId, causationId, ifMatch);
  }

  private async handle(
    shipmentId: string,
    command: ShipmentCommand,
    orderId: string,
    causationId: string | undefined,
    ifMatch?: readonly number[],
  ): Promise<ShipmentOutcome> {
    const context: CommandContext = {
      correlationId: orderId,
      causationId: causationId ?? newEventId(),
      deterministicIds: causationId !== undefined,
      ...(ifMatch === undefined ? {} : { ifMatch }),
    };
    return outcome(await this.commands.handle(shipmentDecider, shipmentStream(shipmentId), command, context));
  }

  private now(): string {
    return this.clock().toISOString();
  }
}
