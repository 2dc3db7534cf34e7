import { v7 as uuid } from 'uuid';
import type { ShipmentCommands, ShipmentOutcome } from '../../src/modules/shipments/application/shipment-commands';
import { ShipmentsTokens } from '../../src/modules/shipments/shipments.tokens';
import { adminToken, type TestSystem } from '../support/test-system';
import { startShipmentsTestSystem } from './shipments-test-system';

const expectProblem = (response: { status: number; headers: Record<string, string>; body: unknown }, status: number) => {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
};

describe('shipments API', () => {
  let t: TestSystem;
  let shipments: ShipmentCommands;
  let now: Date;
  const at = (iso: string) => {
    now = new Date(iso);
  };

  /** Nothing creates shipments over HTTP (the saga will): create it through the application service, let the read model catch up. */
  const settle = async (outcome: ShipmentOutcome) => {
    if (!outcome.ok) throw new Error(outcome.rejection.reason);
    if (outcome.position !== undefined) expect(await t.system.projections.waitFor('shipments', outcome.position)).toBe(true);
    return outcome.shipment;
  };
  /** A shipment whose order is SHIPPED (given as the orders module publishes it), so the carrier may take it. */
  const givenShipment = async (orderId = uuid()) => {
    const shipment = await settle(await shipments.create(orderId));
    const shipped = { orderId, shipmentId: shipment.shipmentId, trackingNumber: shipment.trackingNumber };
    await t.system.eventStore.append(`Order-${orderId}`, [{ id: uuid(), type: 'OrderShipped', data: shipped }], 'any');
    return shipment;
  };

  beforeEach(async () => {
    at('2026-11-21T10:30:00.000Z');
    t = await startShipmentsTestSystem({}, { clock: () => now });
    shipments = t.system.container.get<ShipmentCommands>(ShipmentsTokens.ShipmentCommands);
  });
  afterEach(() => t.stop());

  describe('GET /api/shipments/:shipmentId', () => {
    it('answers a created shipment, without a token', async () => {
      const orderId = uuid();
      const shipment = await givenShipment(orderId);
      const response = await t.http().get(`/api/shipments/${shipment.shipmentId}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        shipmentId: shipment.shipmentId,
        orderId,
        trackingNumber: expect.stringMatching(/^TRK[A-Z2-7]{12}$/),
        status: 'CREATED',
        createdAt: '2026-11-21T10:30:00.000Z',
        updatedAt: '2026-11-21T10:30:00.000Z',
      });
    });

    it('answers a cancelled shipment with its reason', async () => {
      const shipment = await givenShipment();
      at('2026-11-21T10:31:00.000Z');
      await settle(await shipments.cancel(shipment.shipmentId, 'the order was cancelled first'));
      const response = await t.http().get(`/api/shipments/${shipment.shipmentId}`);
      expect(response.body).toMatchObject({
        status: 'CANCELLED',
        reason: 'the order was cancelled first',
        updatedAt: '2026-11-21T10:31:00.000Z',
      });
    });

    it.each([uuid(), 'not-a-uuid', '..%2f..%2fetc'])('answers 404 problem+json for %s', async (shipmentId) => {
      expectProblem(await t.http().get(`/api/shipments/${shipmentId}`), 404);
    });
  });

  describe('GET /api/shipments?orderId=', () => {
    it("finds an order's shipment", async () => {
      const orderId = uuid();
      const shipment = await givenShipment(orderId);
      await givenShipment();
      const response = await t.http().get(`/api/shipments?orderId=${orderId}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [expect.objectContaining({ shipmentId: shipment.shipmentId, orderId })] });
    });

    it('answers an empty list for an order without a shipment', async () => {
      expect((await t.http().get(`/api/shipments?orderId=${uuid()}`)).body).toEqual({ items: [] });
    });

    it.each(['', '?orderId=', '?orderId=not-a-uuid', `?orderId=${uuid()}&orderId=${uuid()}`, `?orderId=${uuid()}&limit=5`, '?__proto__=x'])(
      'answers 400 problem+json with errors[] to %p',
      async (query) => {
        const response = await t.http().get(`/api/shipments${query}`);
        expectProblem(response, 400);
        expect(response.body.errors.length).toBeGreaterThan(0);
      },
    );
  });

  describe('GET /api/shipments/track/:trackingNumber', () => {
    it('finds a shipment by its tracking number, in any case', async () => {
      const shipment = await givenShipment();
      const response = await t.http().get(`/api/shipments/track/${shipment.trackingNumber}`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ shipmentId: shipment.shipmentId, trackingNumber: shipment.trackingNumber });
      const lowerCase = await t.http().get(`/api/shipments/track/${shipment.trackingNumber.toLowerCase()}`);
      expect(lowerCase.body.shipmentId).toBe(shipment.shipmentId);
    });

    it.each(['TRKAAAAAAAAAAAA', 'TRK1', 'nope', '%00'])('answers 404 problem+json for %s', async (trackingNumber) => {
      const response = await t.http().get(`/api/shipments/track/${trackingNumber}`);
      expectProblem(response, 404);
      expect(response.body.detail).toMatch(/tracking number/);
    });
  });

  describe('POST /api/shipments/:shipmentId/dispatch and /deliver', () => {
    it('refuses 409 to dispatch a shipment whose order is not SHIPPED (it may still be cancelled)', async () => {
      const orderId = uuid();
      const shipment = await settle(await shipments.create(orderId));
      const before = await t.eventCount();
      expectProblem(await t.admin().post(`/api/shipments/${shipment.shipmentId}/dispatch`), 409);
      expect(await t.eventCount()).toBe(before);
    });

    it('dispatches, then delivers, answering the changed shipment; a GET right after sees it', async () => {
      const shipment = await givenShipment();
      at('2026-11-21T12:00:00.000Z');
      const dispatched = await t.admin().post(`/api/shipments/${shipment.shipmentId}/dispatch`);
      expect(dispatched.status).toBe(200);
      expect(dispatched.body).toMatchObject({
        status: 'DISPATCHED',
        dispatchedAt: '2026-11-21T12:00:00.000Z',
        updatedAt: '2026-11-21T12:00:00.000Z',
      });
      expect((await t.http().get(`/api/shipments/${shipment.shipmentId}`)).body).toEqual(dispatched.body);
      at('2026-11-22T09:00:00.000Z');
      const delivered = await t.admin().post(`/api/shipments/${shipment.shipmentId}/deliver`).send({});
      expect(delivered.status).toBe(200);
      expect(delivered.body).toEqual({
        ...dispatched.body,
        status: 'DELIVERED',
        deliveredAt: '2026-11-22T09:00:00.000Z',
        updatedAt: '2026-11-22T09:00:00.000Z',
      });
      expect((await t.http().get(`/api/shipments/track/${shipment.trackingNumber}`)).body).toEqual(delivered.body);
    });

    it('answers 409 to a second dispatch, and writes nothing', async () => {
      const shipment = await givenShipment();
      await t.admin().post(`/api/shipments/${shipment.shipmentId}/dispatch`);
      const before = await t.eventCount();
      const again = await t.admin().post(`/api/shipments/${shipment.shipmentId}/dispatch`);
      expectProblem(again, 409);
      expect(again.body.detail).toMatch(/DISPATCHED/);
      expect(await t.eventCount()).toBe(before);
    });

    it('answers 409 to a deliver before dispatch, and to a second deliver', async () => {
      const shipment = await givenShipment();
      expectProblem(await t.admin().post(`/api/shipments/${shipment.shipmentId}/deliver`), 409);
      await t.admin().post(`/api/shipments/${shipment.shipmentId}/dispatch`);
      expect((await t.admin().post(`/api/shipments/${shipment.shipmentId}/deliver`)).status).toBe(200);
      expectProblem(await t.admin().post(`/api/shipments/${shipment.shipmentId}/deliver`), 409);
      expectProblem(await t.admin().post(`/api/shipments/${shipment.shipmentId}/dispatch`), 409);
    });

    it('answers 409 to dispatching a cancelled shipment', async () => {
      const shipment = await givenShipment();
      await settle(await shipments.cancel(shipment.shipmentId, 'the order was cancelled first'));
      expectProblem(await t.admin().post(`/api/shipments/${shipment.shipmentId}/dispatch`), 409);
    });

    it.each(['dispatch', 'deliver'])('answers %s 401 without the admin token or with a wrong one, and writes nothing', async (action) => {
      const shipment = await givenShipment();
      const before = await t.eventCount();
      const url = `/api/shipments/${shipment.shipmentId}/${action}`;
      expectProblem(await t.http().post(url), 401);
      expectProblem(await t.http().post(url).set('Authorization', 'Bearer wrong-token-wrong-token'), 401);
      expectProblem(await t.http().post(url).set('Authorization', adminToken), 401);
      expect(await t.eventCount()).toBe(before);
    });

    it.each(['dispatch', 'deliver'])('answers %s of an unknown shipment 404', async (action) => {
      expectProblem(await t.admin().post(`/api/shipments/${uuid()}/${action}`), 404);
      expectProblem(await t.admin().post(`/api/shipments/not-a-uuid/${action}`), 404);
    });
  });

  describe('bad input changes nothing', () => {
    it.each<[string, string, string, number]>([
      ['an unknown field', 'application/json', '{"dispatchedAt":"2020-01-01T00:00:00Z"}', 400],
      ['an array body', 'application/json', '[]', 400],
      ['a null body', 'application/json', 'null', 400],
      ['malformed JSON', 'application/json', '{"a":', 400],
      ['a __proto__ key', 'application/json', '{"__proto__":{"admin":true}}', 400],
      ['a nested constructor key', 'application/json', '{"a":{"constructor":{"prototype":{"x":1}}}}', 400],
      ['text/plain', 'text/plain', 'dispatch it', 415],
      ['a form', 'application/x-www-form-urlencoded', 'a=1', 415],
      ['a body over 64 KiB', 'application/json', JSON.stringify({ blob: 'x'.repeat(65 * 1024) }), 413],
    ])('answers a dispatch with %s with its 4xx problem+json', async (_name, contentType, body, status) => {
      const shipment = await givenShipment();
      const before = await t.eventCount();
      const response = await t.admin().post(`/api/shipments/${shipment.shipmentId}/dispatch`).set('content-type', contentType).send(body);
      expectProblem(response, status);
      expect(await t.eventCount()).toBe(before);
      expect((await t.http().get(`/api/shipments/${shipment.shipmentId}`)).body.status).toBe('CREATED');
    });
  });

  it('documents exactly the routes it serves, the carrier routes with the bearer token', async () => {
    const { body } = await t.http().get('/api/openapi.json');
    const documented = Object.entries(body.paths as Record<string, Record<string, { security?: unknown }>>)
      .filter(([path]) => path.startsWith('/api/shipments'))
      .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, { security }]) => `${method.toUpperCase()} ${path}${security === undefined ? '' : ' (admin)'}`),
    );
    expect(documented.sort()).toEqual([
      'GET /api/shipments',
      'GET /api/shipments/track/{trackingNumber}',
      'GET /api/shipments/{shipmentId}',
      'POST /api/shipments/{shipmentId}/deliver (admin)',
      'POST /api/shipments/{shipmentId}/dispatch (admin)',
    ]);
    const served = t.system.routers.filter(({ name }) => name === 'shipments').flatMap(({ router }) =>
      router.stack.flatMap((layer) => {
        const route = (layer as { route?: { path: string; methods: Record<string, boolean> } }).route;
        if (route === undefined) return [];
        return Object.keys(route.methods).map((method) => `${method.toUpperCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
      }),
    );
    expect(served.sort()).toEqual(documented.map((route) => route.replace(' (admin)', '')).sort());
  });
});
