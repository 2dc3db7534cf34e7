import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { adminSecurity, ifMatchHeader, problemResponses } from '../../../shared/http-toolkit/openapi-document';
import { z } from '../../../shared/http-toolkit/zod-openapi';
import { createProductBodySchema, productListSchema, productSchema, restockBodySchema, skuSchema } from './product.schemas';

/** The OpenAPI paths `inventory.router.ts` serves, from the schemas it validates with. */
export const registerInventoryOpenApi = (registry: OpenAPIRegistry): void => {
  const skuParams = z.object({ sku: skuSchema });
  const product = (description: string) => ({ description, content: { 'application/json': { schema: productSchema } } });
  registry.registerPath({
    method: 'post',
    path: '/api/products',
    summary: 'Add a product to the catalog, with its initial stock',
    security: adminSecurity,
    request: { body: { content: { 'application/json': { schema: createProductBodySchema } } } },
    responses: {
      201: { ...product('the product; Location names it'), headers: { Location: { schema: { type: 'string' } } } },
      ...problemResponses(400, 401, 409, 413, 415),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/products',
    summary: 'List the catalog with its stock, in sku order',
    responses: { 200: { description: 'every product', content: { 'application/json': { schema: productListSchema } } } },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/products/{sku}',
    summary: 'Get a product with its stock',
    request: { params: skuParams },
    responses: { 200: product('the product'), ...problemResponses(404) },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/products/{sku}/restock',
    summary: "Add to a product's stock on hand",
    security: adminSecurity,
    request: { params: skuParams, headers: ifMatchHeader, body: { content: { 'application/json': { schema: restockBodySchema } } } },
    responses: { 200: product('the product, restocked'), ...problemResponses(400, 401, 404, 412, 413, 415) },
  });
};
