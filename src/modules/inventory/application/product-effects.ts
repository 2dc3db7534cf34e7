import type { AppendGuard, CommandHandler, CommandResult } from '../../../shared/application/command-handler';
import type { RecordedEvent } from '../../../event-store/event-store.port';
import { asProductEvent, type ProductEvent } from '../contracts/inventory-events';
import type { Product } from '../domain/product';
import { type ProductCommand, productDecider } from '../domain/product.decider';
import { productStream } from './inventory-streams';

/**
 * An order's effect on a product (a hold, its release or its deduction) is asked for by an event of
 * the order's reservation stream, which records in its metadata the revision each product had then.
 * No effect of that request can be in a product's stream up to that revision, so a run that may
 * repeat an earlier one (a retry, a redelivery, another instance) looks only at what came after it,
 * and appends only if the effect is not there, at the revision it looked up to. The products keep
 * no list of holds, and a first run looks at nothing but what another process wrote meanwhile.
 */
export type ProductRevisions = Readonly<Record<string, number>>;

const revisionsKey = 'productRevisions';

export const revisionsMetadata = (revisions: ProductRevisions): Record<string, unknown> => ({ [revisionsKey]: revisions });

/** What a reservation event recorded; a product it does not name (an event older than this record) is looked at from its start. */
export const recordedRevisions = (event: RecordedEvent | undefined): ProductRevisions => {
  const recorded = event?.metadata[revisionsKey];
  return typeof recorded === 'object' && recorded !== null ? (recorded as ProductRevisions) : {};
};

/**
 * A committed revision of each product, at or below its head: a lower bound is all a request needs
 * (appends in flight may still fail, and another event take their place).
 */
export const productRevisions = async (commands: CommandHandler, skus: readonly string[]): Promise<ProductRevisions> => {
  const revisions: Record<string, number> = {};
  for (const sku of skus) revisions[sku] = await commands.committedRevision(productDecider, productStream(sku));
  return revisions;
};

export interface EffectRequest {
  readonly orderId: string;
  /** The reservation event that asked for the effect: the products' events are caused by it. */
  readonly causationId: string;
  readonly revisions: ProductRevisions;
  readonly mayRepeat: boolean;
}

const holdTypes: ReadonlySet<string> = new Set<ProductEvent['type']>(['ProductStockReserved']);
const settleTypes: ReadonlySet<string> = new Set<ProductEvent['type']>(['ProductStockReleased', 'ProductStockDeducted']);

/** The order a product event is on behalf of: holds, releases and deductions name one; creation and restocks none. */
const orderOf = (stored: { readonly type: string; readonly data: unknown }): string | undefined => {
  const event = asProductEvent(stored);
  switch (event?.type) {
    case 'ProductStockReserved':
    case 'ProductStockReleased':
    case 'ProductStockDeducted':
      return event.data.orderId;
    case 'ProductCreated':
    case 'ProductRestocked':
    case undefined:
      return undefined;
    default: {
      const unknownEvent: never = event;
      return unknownEvent;
    }
  }
};

const guardFor = (sku: string, command: ProductCommand, { orderId, revisions, mayRepeat }: EffectRequest): AppendGuard => {
  const types = command.type === 'ReserveStock' ? holdTypes : settleTypes;
  return {
    after: revisions[sku] ?? -1,
    mayRepeat,
    isEffect: (event) => types.has(event.type) && orderOf(event) === orderId,
  };
};

/** Appends the command's effect to the product unless the request's effect is there already (`effectFound`). */
export const applyOnce = (
  commands: CommandHandler,
  command: Extract<ProductCommand, { type: 'ReserveStock' | 'ReleaseStock' | 'DeductStock' }>,
  request: EffectRequest,
): Promise<CommandResult<Product, ProductEvent>> =>
  commands.handle(
    productDecider,
    productStream(command.sku),
    command,
    { correlationId: request.orderId, causationId: request.causationId, deterministicIds: true },
    guardFor(command.sku, command, request),
  );

/** Whether the order's hold on the product is in the product's stream after the request's revision. */
export const holdFound = async (commands: CommandHandler, sku: string, request: EffectRequest): Promise<boolean> =>
  (await commands.findEffect(productStream(sku), guardFor(sku, { type: 'ReserveStock', sku, orderId: request.orderId, quantity: 1 }, request))) !==
  undefined;
