import { type Request, type Response, Router } from 'express';
import { requireAdmin } from '../shared/http-toolkit/admin-auth';
import type { ModuleRouter } from '../shared/http-toolkit/module-router';
import { conflict, notFound } from '../shared/http-toolkit/problem';
import { parseQuery } from '../shared/http-toolkit/validate';
import type { AdmissionControl } from '../shared/process-managers/admission-gate';
import type { ProcessManagerRuntime } from '../shared/process-managers/process-managers.port';
import type { ProjectionRunner } from '../shared/read-models/projection-runner';
import { deadLetterQuerySchema } from './admin.schemas';
import { registerAdminOpenApi } from './admin.openapi';

/** Operators' view of the background work: process managers, their dead letters, the read models. */
export const adminRouter = (
  adminToken: string,
  processManagers: ProcessManagerRuntime,
  projections: ProjectionRunner,
  admission: AdmissionControl,
): ModuleRouter => {
  const router = Router();
  const admin = requireAdmin(adminToken);

  router.get('/api/admin/subscriptions', admin, async (_request: Request, response: Response) => {
    const items = (await processManagers.status()).map(({ name, checkpoint, lag, retries, deadLetters }) => ({
      name,
      checkpoint,
      lag,
      retries,
      deadLetters,
    }));
    response.json({ items, admission: admission.status() });
  });

  router.get('/api/admin/dead-letters', admin, async (request: Request, response: Response) => {
    const { limit, after } = parseQuery(deadLetterQuerySchema, request);
    const page = await processManagers.listDeadLetters({ limit, ...(after === undefined ? {} : { after }) });
    response.json({ items: page.items, next: page.next });
  });

  router.post('/api/admin/dead-letters/:id/retry', admin, async (request: Request, response: Response) => {
    const id = String(request.params.id);
    const retried = await processManagers.retry(id);
    switch (retried.outcome) {
      case 'not_found':
        throw notFound(`dead letter ${id}`);
      case 'failed':
        throw conflict(`the retry failed again: ${retried.error}`);
      case 'replayed':
        response.status(202).json({ id: retried.id, status: 'replayed' });
        return;
      case 'replaying':
        response.status(202).json({ id: retried.id, status: 'replaying', replaying: retried.ids });
        return;
      default: {
        const unknown: never = retried;
        throw new Error(`unknown retry outcome ${String(unknown)}`);
      }
    }
  });

  router.get('/api/admin/projections', admin, async (_request: Request, response: Response) => {
    response.json({ items: await projections.status() });
  });

  router.post('/api/admin/projections/:name/rebuild', admin, (request: Request, response: Response) => {
    const name = String(request.params.name);
    const outcome = projections.requestRebuild(name);
    if (outcome === 'not_found') throw notFound(`read model ${name}`);
    if (outcome === 'already_rebuilding') throw conflict(`read model ${name} is being rebuilt already`);
    response.status(202).setHeader('Location', '/api/admin/projections').json({ name, status: 'rebuilding' });
  });

  return { name: 'admin', router, registerOpenApi: registerAdminOpenApi };
};
