import { positionSchema } from '../../shared/http-toolkit/read-your-writes';
import { z } from '../../shared/http-toolkit/zod-openapi';
import { eventListQuerySchema } from '../events.schemas';

export const orderStreamQuerySchema = z.strictObject({ after: positionSchema.optional() });

export const logStreamQuerySchema = eventListQuerySchema.omit({ limit: true });
