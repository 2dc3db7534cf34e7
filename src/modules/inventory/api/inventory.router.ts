import { type Request, type Response, Router } from 'express';
import { requireAdmin } from '../../../shared/http-toolkit/admin-auth';
import { etagOf, ifMatchOf } from '../../../shared/http-toolkit/if-match';
import { jsonBody } from '../../../shared/http-toolkit/json-body';
import type { ModuleRouter } from '../../../shared/http-toolkit/module-router';
import { notFound } from '../../../shared/http-toolkit/problem';
import { rejectionProblem } from '../../../shared/http-toolkit/rejection-problem';
import { type ReadYourWrites, setEventPosition } from '../../../shared/http-toolkit/read-your-writes';
import { parseBody, parseParams } from '../../../shared/http-toolkit/validate';
import type { ProjectionRunner } from '../../../shared/read-models/projection-runner';
import { skuPattern } from '../contracts/inventory-events';
import type { InventoryCommands } from '../application/inventory-commands';
import type { ProductOutcome } from '../application/inventory-outcomes';
import { toProductView } from '../application/product.view';
import type { ProductQueries } from '../read-models/product.query';
import { createProductBodySchema, restockBodySchema, skuParamsSchema } from './product.schemas';
import { productStream } from '../application/inventory-streams';
import { registerInventoryOpenApi } from './inventory.openapi';

export interface InventoryRouterParts {
  readonly adminToken: string;
  readonly commands: Pick<InventoryCommands, 'createProduct' | 'restock'>;
  readonly queries: ProductQueries;
  readonly projections: Pick<ProjectionRunner, 'waitFor'>;
  readonly readYourWrites: Pick<ReadYourWrites, 'readModel' | 'writePosition'>;
}

export const inventoryRouter = ({ adminToken, commands, queries, projections, readYourWrites }: InventoryRouterParts): ModuleRouter => {
  const router = Router();
  const admin = requireAdmin(adminToken);
  const fromReadModel = readYourWrites.readModel('products');

  /** A sku that cannot exist is not looked up: it is simply not found. */
  const skuOf = (request: Request): string => {
    const { sku } = parseParams(skuParamsSchema, request);
    if (!skuPattern.test(sku)) throw notFound(`product ${sku}`);
    return sku;
  };

  /** Answers from the write's decided state; first lets the read model catch up, so that a GET that follows sees the write. */
  const answer = async (response: Response, outcome: ProductOutcome, status: number) => {
    if (!outcome.ok) throw rejectionProblem(outcome.rejection);
    if (outcome.position !== undefined) await projections.waitFor('products', outcome.position);
    setEventPosition(response, await readYourWrites.writePosition(outcome.position, productStream(outcome.product.sku)));
    if (status === 201) response.location(`/api/products/${outcome.product.sku}`);
    response.status(status).setHeader('ETag', etagOf(outcome.revision)).json(toProductView(outcome.product));
  };

  router.post('/api/products', admin, ...jsonBody(), async (request: Request, response: Response) => {
    await answer(response, await commands.createProduct(parseBody(createProductBodySchema, request)), 201);
  });

  router.get('/api/products', fromReadModel, (_request: Request, response: Response) => {
    response.json({ items: queries.list() });
  });

  router.get('/api/products/:sku', fromReadModel, (request: Request, response: Response) => {
    const sku = skuOf(request);
    const product = queries.get(sku);
    if (product === undefined) throw notFound(`product ${sku}`);
    response.json(product);
  });

  router.post('/api/products/:sku/restock', admin, ...jsonBody(), async (request: Request, response: Response) => {
    const { quantity } = parseBody(restockBodySchema, request);
    await answer(response, await commands.restock(skuOf(request), quantity, ifMatchOf(request)), 200);
  });

  return { name: 'inventory', router, registerOpenApi: registerInventoryOpenApi };
};
