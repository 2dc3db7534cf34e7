import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { ModuleRouter } from '../shared/http-toolkit/module-router';
import { createOpenApiRegistry, generateOpenApiDocument } from '../shared/http-toolkit/openapi-document';

/** `/api/openapi.json` and the `/api/docs` page, both generated from the schemas the routers validate with. */
export const apiDocsRouter = (routers: readonly ModuleRouter[]): Router => {
  const registry = createOpenApiRegistry();
  for (const moduleRouter of routers) moduleRouter.registerOpenApi(registry);
  const document = generateOpenApiDocument(registry);
  const router = Router();
  router.get('/api/openapi.json', (_request, response) => {
    response.json(document);
  });
  router.use('/api/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'Order platform API' }));
  return router;
};
