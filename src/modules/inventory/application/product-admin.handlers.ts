import type { CommandHandler, CommandResult } from '../../../shared/application/command-handler';
import { newEventId } from '../../../shared/application/event-ids';
import { reject } from '../../../shared/domain/decider';
import { hasAtMostTwoDecimals, toCents } from '../../../shared/domain/money';
import { type ProductEvent } from '../contracts/inventory-events';
import type { Product } from '../domain/product';
import { type ProductCommand, productDecider } from '../domain/product.decider';
import type { CreateProductRequest, ProductOutcome } from './inventory-outcomes';
import { productStream } from './inventory-streams';

const outcome = (result: CommandResult<Product, ProductEvent>): ProductOutcome => {
  if (!result.accepted) return { ok: false, rejection: result.rejection };
  if (!result.state.created) return { ok: false, rejection: reject('not_found', 'the product was not found') };
  return { ok: true, product: result.state, position: result.position, revision: result.revision };
};

/** The catalog is kept by operators over HTTP: each request is its own cause. */
const handle = async (commands: CommandHandler, sku: string, command: ProductCommand, ifMatch?: readonly number[]): Promise<ProductOutcome> => {
  const requestId = newEventId();
  const context = { correlationId: requestId, causationId: requestId, ...(ifMatch === undefined ? {} : { ifMatch }) };
  return outcome(await commands.handle(productDecider, productStream(sku), command, context));
};

export const createProduct = (commands: CommandHandler, { sku, name, price, initialStock }: CreateProductRequest): Promise<ProductOutcome> =>
  handle(commands, sku, {
    type: 'CreateProduct',
    sku,
    name,
    priceCents: hasAtMostTwoDecimals(price) ? toCents(price) : Number.NaN,
    initialStock,
  });

export const restockProduct = (commands: CommandHandler, sku: string, quantity: number, ifMatch?: readonly number[]): Promise<ProductOutcome> =>
  handle(commands, sku, { type: 'RestockProduct', sku, quantity }, ifMatch);
