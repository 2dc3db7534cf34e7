import { type Request, type Response, Router } from 'express';
import { requireAdmin } from '../../shared/http-toolkit/admin-auth';
import type { ModuleRouter } from '../../shared/http-toolkit/module-router';
import { badRequest, notFound, serviceUnavailable } from '../../shared/http-toolkit/problem';
import { positionSchema } from '../../shared/http-toolkit/read-your-writes';
import { parseQuery } from '../../shared/http-toolkit/validate';
import { z } from '../../shared/http-toolkit/zod-openapi';
import type { ProjectionRunner } from '../../shared/read-models/projection-runner';
import type { EventStreams } from './event-streams';
import { orderStreamQuerySchema, logStreamQuerySchema } from './streams.schemas';
import { uuidPattern } from '../../shared/http-toolkit/uuid-pattern';
import { registerStreamsOpenApi } from './streams.openapi';


/** Where a stream resumes: after the `Last-Event-ID` a reconnecting client sends, else after `?after=`. */
const resumeAfter = (request: Request, after: string | undefined): bigint | undefined => {
  const lastEventId = request.header('Last-Event-ID');
  if (lastEventId !== undefined) {
    const parsed = positionSchema.safeParse(lastEventId.trim());
    if (!parsed.success) throw badRequest('Last-Event-ID is not a position', [{ path: 'Last-Event-ID', message: parsed.error.issues[0]!.message }]);
    return BigInt(parsed.data);
  }
  return after === undefined ? undefined : BigInt(after);
};

export interface StreamsRouterParts {
  readonly adminToken: string;
  /** Whether an order of that id was placed: the orders module answers from its own stream. */
  readonly orderExists: (orderId: string) => Promise<boolean>;
  readonly streams: EventStreams;
  /** False where the audit query is not served (EventStoreDB for now): the streams answer 503 as `/api/events` does. */
  readonly served: boolean;
  readonly projections: Pick<ProjectionRunner, 'status' | 'changes'>;
}

/** While a rebuild runs, its progress moves with no event to announce it: the status is read again this often. */
const rebuildProgressMs = 500;

/** CONTRACT §6: an order's events live (public), and the whole log live (admin). Mounted before `/api/events/:eventId`. */
export const streamsRouter = ({ adminToken, orderExists, streams, served, projections }: StreamsRouterParts): ModuleRouter => {
  const router = Router();
  const assertServed = () => {
    if (!served) throw serviceUnavailable('store-unavailable', 'this event store does not serve the event streams yet');
  };

  router.get('/api/orders/:orderId/stream', async (request: Request, response: Response) => {
    const orderId = String(request.params.orderId);
    const after = resumeAfter(request, parseQuery(orderStreamQuerySchema, request).after);
    if (!uuidPattern.test(orderId) || !(await orderExists(orderId))) {
      throw notFound(`order ${orderId}`);
    }
    assertServed();
    await streams.serve(request, response, { filter: { correlationId: orderId }, after });
  });

  router.get('/api/events/stream', requireAdmin(adminToken), async (request: Request, response: Response) => {
    const { after, ...filter } = parseQuery(logStreamQuerySchema, request);
    const from = resumeAfter(request, after);
    assertServed();
    await streams.serve(request, response, { filter, after: from });
  });

  router.get('/api/admin/projections/stream', requireAdmin(adminToken), async (request: Request, response: Response) => {
    parseQuery(z.strictObject({}), request);
    await streams.serveSnapshots(request, response, {
      name: 'status',
      read: async () => ({ items: await projections.status() }),
      signal: projections.changes,
      refreshMs: ({ items }) => (items.some((item) => item.status === 'rebuilding') ? rebuildProgressMs : Infinity),
    });
  });

  return { name: 'streams', router, registerOpenApi: registerStreamsOpenApi };
};
