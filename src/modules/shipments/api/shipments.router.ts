import { type Request, type Response, Router } from 'express';
import { requireAdmin } from '../../../shared/http-toolkit/admin-auth';
import { etagOf, ifMatchOf } from '../../../shared/http-toolkit/if-match';
import { jsonBody } from '../../../shared/http-toolkit/json-body';
import type { ModuleRouter } from '../../../shared/http-toolkit/module-router';
import { notFound } from '../../../shared/http-toolkit/problem';
import { rejectionProblem } from '../../../shared/http-toolkit/rejection-problem';
import { type ReadYourWrites, setEventPosition } from '../../../shared/http-toolkit/read-your-writes';
import { parseBody, parseParams, parseQuery } from '../../../shared/http-toolkit/validate';
import type { ProjectionRunner } from '../../../shared/read-models/projection-runner';
import { uuidPattern } from '../../../shared/http-toolkit/uuid-pattern';
import type { ShipmentCommands, ShipmentOutcome } from '../application/shipment-commands';
import { toShipmentView } from '../application/shipment.view';
import type { ShipmentQuery } from '../read-models/shipment.query';
import { carrierEventBodySchema, shipmentIdParamsSchema, shipmentListQuerySchema, trackingNumberParamsSchema, trackingNumberPattern } from './shipment.schemas';
import { shipmentStream } from '../application/shipment-stream';
import { registerShipmentsOpenApi } from './shipments.openapi';

export interface ShipmentsRouterParts {
  readonly adminToken: string;
  readonly commands: ShipmentCommands;
  readonly query: ShipmentQuery;
  readonly projections: Pick<ProjectionRunner, 'waitFor'>;
  readonly readYourWrites: Pick<ReadYourWrites, 'readModel' | 'writePosition'>;
}

export const shipmentsRouter = ({ adminToken, commands, query, projections, readYourWrites }: ShipmentsRouterParts): ModuleRouter => {
  const router = Router();
  const admin = requireAdmin(adminToken);
  const fromReadModel = readYourWrites.readModel('shipments');

  const shipmentIdOf = (request: Request): string => {
    const { shipmentId } = parseParams(shipmentIdParamsSchema, request);
    if (!uuidPattern.test(shipmentId)) throw notFound(`shipment ${shipmentId}`);
    return shipmentId;
  };

  /** Answers from the command's state; first lets the read model catch up, so a GET that follows sees the change. */
  const answer = async (response: Response, outcome: ShipmentOutcome) => {
    if (!outcome.ok) throw rejectionProblem(outcome.rejection);
    if (outcome.position !== undefined) await projections.waitFor('shipments', outcome.position);
    setEventPosition(response, await readYourWrites.writePosition(outcome.position, shipmentStream(outcome.shipment.shipmentId)));
    response.setHeader('ETag', etagOf(outcome.revision)).json(toShipmentView(outcome.shipment));
  };

  router.get('/api/shipments', fromReadModel, (request: Request, response: Response) => {
    const { orderId } = parseQuery(shipmentListQuerySchema, request);
    response.json({ items: query.byOrder(orderId) });
  });

  // Before `/api/shipments/:shipmentId`, which would take `track` for an id.
  router.get('/api/shipments/track/:trackingNumber', fromReadModel, (request: Request, response: Response) => {
    const { trackingNumber } = parseParams(trackingNumberParamsSchema, request);
    const normalised = trackingNumber.toUpperCase();
    const shipment = trackingNumberPattern.test(normalised) ? query.byTrackingNumber(normalised) : undefined;
    if (shipment === undefined) throw notFound(`tracking number ${trackingNumber}`);
    response.json(shipment);
  });

  router.get('/api/shipments/:shipmentId', fromReadModel, (request: Request, response: Response) => {
    const shipmentId = shipmentIdOf(request);
    const shipment = query.byId(shipmentId);
    if (shipment === undefined) throw notFound(`shipment ${shipmentId}`);
    response.json(shipment);
  });

  router.post('/api/shipments/:shipmentId/dispatch', admin, ...jsonBody(), async (request: Request, response: Response) => {
    const shipmentId = shipmentIdOf(request);
    parseBody(carrierEventBodySchema, request);
    await answer(response, await commands.dispatch(shipmentId, { ifMatch: ifMatchOf(request) }));
  });

  router.post('/api/shipments/:shipmentId/deliver', admin, ...jsonBody(), async (request: Request, response: Response) => {
    const shipmentId = shipmentIdOf(request);
    parseBody(carrierEventBodySchema, request);
    await answer(response, await commands.deliver(shipmentId, undefined, ifMatchOf(request)));
  });

  return { name: 'shipments', router, registerOpenApi: registerShipmentsOpenApi };
};
