import { type Request, type Response, Router } from 'express';
import { requireAdmin } from '../../../shared/http-toolkit/admin-auth';
import { admissionControl } from '../../../shared/http-toolkit/admission';
import { etagOf as revisionTag, ifMatchOf } from '../../../shared/http-toolkit/if-match';
import { jsonBody } from '../../../shared/http-toolkit/json-body';
import type { ModuleRouter } from '../../../shared/http-toolkit/module-router';
import { notFound } from '../../../shared/http-toolkit/problem';
import { rejectionProblem } from '../../../shared/http-toolkit/rejection-problem';
import { positionParameter, type ReadYourWrites, setEventPosition } from '../../../shared/http-toolkit/read-your-writes';
import { uuidPattern } from '../../../shared/http-toolkit/uuid-pattern';
import { parseBody, parseQuery } from '../../../shared/http-toolkit/validate';
import type { AdmissionControl } from '../../../shared/process-managers/admission-gate';
import type { OrderCommands, Outcome } from '../application/order-commands';
import { decidedOrder, type OrderReader, type ReadOrder } from '../application/order-reader';
import type { OrderSagaView } from '../application/order-saga-view';
import { toOrderView } from '../application/order.view';
import type { OrderListQuery } from '../read-models/order-list.query';
import { cancelOrderBodySchema, idempotencyKeySchema, orderIdParamsSchema, orderListQuerySchema, placeOrderBodySchema } from './order.schemas';
import { registerOrdersOpenApi } from './orders.openapi';

export interface OrdersRouterParts {
  readonly adminToken: string;
  readonly commands: OrderCommands;
  readonly reader: OrderReader;
  readonly list: OrderListQuery;
  readonly saga: OrderSagaView;
  /** Refuses new orders while the saga is too far behind (CONTRACT §5). */
  readonly admission: AdmissionControl;
  readonly readYourWrites: Pick<ReadYourWrites, 'readModel' | 'streams' | 'assertStoreReached'>;
}

const etagOf = (read: ReadOrder) => revisionTag(read.revision);

export const ordersRouter = ({ adminToken, commands, reader, list, saga, admission, readYourWrites }: OrdersRouterParts): ModuleRouter => {
  const router = Router();

  const readOrThrow = async (orderId: string, asOf?: bigint): Promise<ReadOrder> => {
    const read = uuidPattern.test(orderId) ? await reader.read(orderId, asOf) : undefined;
    if (read === undefined) throw notFound(`order ${orderId}`);
    return read;
  };

  const answer = async (response: Response, outcome: Outcome, status: number) => {
    if (!outcome.ok) throw rejectionProblem(outcome.rejection);
    // The state the command decided on; read only for what it lacks: a repeated request appended
    // nothing, so the position of its state is in the store, as are the times of older orders' events.
    const decided = outcome.state.status === 'NONE' ? undefined : decidedOrder(outcome.state, outcome.revision, outcome.position);
    const read = decided ?? (await readOrThrow(outcome.orderId));
    setEventPosition(response, outcome.position ?? read.position);
    response.status(status).setHeader('ETag', etagOf(read)).json(toOrderView(read));
  };

  // Admission first: a refused order costs no body parsing, and writes nothing (not even its idempotency key's order).
  router.post('/api/orders', admissionControl(admission), ...jsonBody(), async (request: Request, response: Response) => {
    const idempotencyKey = idempotencyKeySchema.parse(request.header('Idempotency-Key'));
    const body = parseBody(placeOrderBodySchema, request);
    const outcome = await commands.place(body, idempotencyKey);
    if (outcome.ok) response.setHeader('Location', `/api/orders/${outcome.orderId}`);
    await answer(response, outcome, 201);
  });

  router.get('/api/orders', requireAdmin(adminToken), readYourWrites.readModel('orders'), (request: Request, response: Response) => {
    const query = parseQuery(orderListQuerySchema, request);
    const cursor = query.cursor === undefined ? undefined : BigInt(query.cursor);
    response.json(list.list({ ...query, cursor }));
  });

  router.get('/api/orders/:orderId', readYourWrites.streams(), async (request: Request, response: Response) => {
    const asOf = positionParameter(request, 'asOf');
    if (asOf !== undefined) await readYourWrites.assertStoreReached(asOf, response);
    const read = await readOrThrow(orderIdParamsSchema.parse(request.params).orderId, asOf);
    if (request.header('If-None-Match') === etagOf(read)) {
      response.status(304).setHeader('ETag', etagOf(read)).end();
      return;
    }
    response.setHeader('ETag', etagOf(read)).json(toOrderView(read));
  });

  router.get('/api/orders/:orderId/saga', requireAdmin(adminToken), readYourWrites.streams(), async (request: Request, response: Response) => {
    const { orderId } = orderIdParamsSchema.parse(request.params);
    const view = uuidPattern.test(orderId) ? await saga.read(orderId) : undefined;
    if (view === undefined) throw notFound(`order ${orderId}`);
    response.json(view);
  });

  router.post('/api/orders/:orderId/cancel', ...jsonBody(), async (request: Request, response: Response) => {
    const { orderId } = orderIdParamsSchema.parse(request.params);
    const { reason } = parseBody(cancelOrderBodySchema, request);
    await readOrThrow(orderId);
    await answer(response, await commands.cancel(orderId, reason ?? 'cancelled by request', { ifMatch: ifMatchOf(request) }), 202);
  });

  return { name: 'orders', router, registerOpenApi: registerOrdersOpenApi };
};
