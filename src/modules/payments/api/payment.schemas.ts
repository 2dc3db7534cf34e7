import { z } from '../../../shared/http/zod-openapi';

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const paymentIdParamsSchema = z.object({ paymentId: z.string() });

export const paymentListQuerySchema = z
  .strictObject({ orderId: z.string().regex(uuidPattern, 'must be an order id (a uuid)') })
  .openapi('PaymentListQuery');

export const paymentSchema = z
  .object({
    paymentId: z.string(),
    orderId: z.string(),
    amount: z.number(),
    status: z.enum(['PROCESSED', 'FAILED', 'REFUNDED']),
    reason: z.string().optional(),
    transactionId: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Payment');

export const paymentListSchema = z.object({ items: z.array(paymentSchema) }).openapi('PaymentList');
