import { Router } from 'express';
import type { Readiness } from '../shared/readiness';

export const operationalRouter = (readiness: Readiness): Router => {
  const router = Router();
  router.get('/health', (_request, response) => {
    response.json({ status: 'ok' });
  });
  // Public: it names the components and whether each is ready, never an error's text (paths, hosts, SQL).
  router.get('/ready', async (_request, response) => {
    const { ready, checks } = await readiness.report();
    response.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  return router;
};
