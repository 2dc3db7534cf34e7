import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';

/** The OpenAPI paths `console.router.ts` serves, from the schemas it validates with. */
export const registerConsoleOpenApi = (registry: OpenAPIRegistry): void => {
  for (const path of ['/console', '/console/orders/{orderId}']) {
    registry.registerPath({
      method: 'get',
      path,
      summary: 'The operator console (HTML): orders live, one order’s timeline, process managers and read models',
      responses: { 200: { description: 'the page', content: { 'text/html': { schema: { type: 'string' } } } } },
    });
  }
};
