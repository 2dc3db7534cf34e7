import { hasAtMostTwoDecimals, toCents } from '../../../shared/domain/money';
import { z } from '../../../shared/http-toolkit/zod-openapi';
import { skuPattern } from '../contracts/inventory-events';

export const skuSchema = z.string().regex(skuPattern, `must match ${skuPattern.source}`).openapi({ example: 'WIDGET-001' });

/** Prices stop at a billion, so that every order total stays an exact number of cents. */
export const maxPrice = 1_000_000_000;
export const maxStock = 1_000_000;

export const createProductBodySchema = z
  .strictObject({
    sku: skuSchema,
    name: z.string().min(1).max(200),
    price: z
      .number()
      .positive()
      .max(maxPrice)
      .refine((price) => hasAtMostTwoDecimals(price) && toCents(price) >= 1, 'must have at most two decimals')
      .openapi({ multipleOf: 0.01, example: 19.99 }),
    initialStock: z.number().int().min(0).max(maxStock),
  })
  .openapi('CreateProduct', { example: { sku: 'WIDGET-001', name: 'Premium Widget', price: 19.99, initialStock: 100 } });

export const restockBodySchema = z.strictObject({ quantity: z.number().int().min(1).max(maxStock) }).openapi('Restock', { example: { quantity: 50 } });

export const skuParamsSchema = z.object({ sku: z.string() });

export const productSchema = z
  .object({
    sku: z.string(),
    name: z.string(),
    price: z.number(),
    currency: z.string(),
    stock: z.object({ onHand: z.number().int(), reserved: z.number().int(), available: z.number().int() }),
  })
  .openapi('Product');

export const productListSchema = z.object({ items: z.array(productSchema) }).openapi('ProductList');
