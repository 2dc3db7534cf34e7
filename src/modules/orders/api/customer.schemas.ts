import { z } from '../../../shared/http-toolkit/zod-openapi';
import { customerIdSchema } from './order.schemas';

export const customerParamsSchema = z.strictObject({ customerId: customerIdSchema });

export const erasedSchema = z
  .object({ customerId: z.string(), status: z.literal('erased'), orders: z.number().int().openapi({ description: 'the orders whose personal data now reads as null' }) })
  .openapi('PersonalDataErased');
