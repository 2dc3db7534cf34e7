import { countryCodes } from '../../../shared/http-toolkit/country-codes';
import { z } from '../../../shared/http-toolkit/zod-openapi';

export const skuSchema = z.string().regex(/^[A-Z0-9][A-Z0-9_-]{0,63}$/, 'must match ^[A-Z0-9][A-Z0-9_-]{0,63}$');

const orderStatuses = ['PENDING', 'CONFIRMED', 'PAID', 'SHIPPED', 'DELIVERED', 'REJECTED', 'PAYMENT_FAILED', 'CANCELLED'] as const;

export const customerIdSchema = z.string().min(1).max(64);

export const shippingAddressSchema = z
  .strictObject({
    street: z.string().min(1).max(200),
    city: z.string().min(1).max(200),
    state: z.string().max(100).default(''),
    zip: z.string().min(1).max(20),
    country: z
      .string()
      .refine((code) => countryCodes.has(code), 'must be an ISO 3166-1 alpha-2 country code')
      .openapi({ description: 'ISO 3166-1 alpha-2 country code', enum: [...countryCodes].sort(), example: 'US' }),
  })
  .openapi('ShippingAddress', { example: { street: '123 Main St', city: 'San Francisco', state: 'CA', zip: '94105', country: 'US' } });

export const placeOrderBodySchema = z
  .strictObject({
    customerId: customerIdSchema,
    items: z
      .array(z.strictObject({ sku: skuSchema, quantity: z.number().int().min(1).max(1000) }))
      .min(1)
      .max(50)
      .superRefine((items, context) => {
        const seen = new Set<string>();
        items.forEach((item, index) => {
          if (seen.has(item.sku)) context.addIssue({ code: 'custom', path: [index, 'sku'], message: `sku ${item.sku} appears twice` });
          seen.add(item.sku);
        });
      }),
    shippingAddress: shippingAddressSchema,
    paymentMethod: z
      .strictObject({ token: z.string().min(1).max(100) })
      .optional()
      .openapi({ description: 'tok_visa (the default) is charged; tok_chargeDeclined is declined' }),
  })
  .openapi('PlaceOrder', {
    example: {
      customerId: 'cust_alice',
      items: [{ sku: 'WIDGET-001', quantity: 2 }],
      shippingAddress: { street: '123 Main St', city: 'San Francisco', state: 'CA', zip: '94105', country: 'US' },
      paymentMethod: { token: 'tok_visa' },
    },
  });

export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .openapi({
    description:
      'The same key with the same body answers the same order for at least IDEMPOTENCY_KEY_TTL_MS (24 h by default), with another body 422. ' +
      'The order id derives from the key with a secret of the installation: nobody else can compute it.',
  })
  .optional();

export const cancelOrderBodySchema = z
  .strictObject({ reason: z.string().max(500).optional() })
  .openapi('CancelOrder', { example: { reason: 'changed my mind' } });

export const orderIdParamsSchema = z.object({ orderId: z.string() });

export const orderListQuerySchema = z.strictObject({
  status: z.enum(orderStatuses).optional(),
  customerId: customerIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().regex(/^\d{1,18}$/, 'must be the nextCursor of a previous page').optional(),
});

export const orderSchema = z
  .object({
    orderId: z.string(),
    customerId: z.string(),
    status: z.enum(orderStatuses),
    items: z.array(
      z.object({ sku: z.string(), name: z.string(), quantity: z.number().int(), unitPrice: z.number(), lineTotal: z.number() }),
    ),
    total: z.number(),
    currency: z.string(),
    shippingAddress: shippingAddressSchema.nullable().openapi({ description: "null once the customer's personal data is erased" }),
    paymentId: z.string().optional(),
    shipmentId: z.string().optional(),
    trackingNumber: z.string().optional(),
    reason: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Order');

export const orderListSchema = z.object({ items: z.array(orderSchema), nextCursor: z.string().nullable() }).openapi('OrderList');
