import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from './zod-openapi';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

/** Problem answers, to spread into a path's `responses`. */
export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: `problem (${status})`, content: { 'application/problem+json': { schema: problemSchema } } },
    ]),
  );

export const adminSecurity = [{ adminToken: [] }];

export const createOpenApiRegistry = (): OpenAPIRegistry => {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'adminToken', { type: 'http', scheme: 'bearer' });
  return registry;
};

export const generateOpenApiDocument = (registry: OpenAPIRegistry) =>
  new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Order platform',
      version: '1.0.0',
      description: 'Event-sourced orders, inventory, payments and shipments. Errors are application/problem+json (RFC 9457).',
    },
  });
