import { Router } from 'express';
import type { Readiness } from '../shared/readiness';

export const operationalRouter = (readiness: Readiness): Router => {
  const router = Router();
  router.get('/health', (_request, response) => {
    response.json({ status: 'ok' });
  });
  router.get('/ready', async (_request, response) => {
    const report = await readiness.report();
    response.status(report.ready ? 200 : 503).json({ status: report.ready ? 'ready' : 'not ready', checks: report.checks });
  });
  return router;
};
