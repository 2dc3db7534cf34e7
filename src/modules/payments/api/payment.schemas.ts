import { uuidPattern } from '../../../shared/http-toolkit/uuid-pattern';
import { z } from '../../../shared/http-toolkit/zod-openapi';

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
