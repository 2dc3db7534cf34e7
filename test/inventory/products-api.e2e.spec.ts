import type request from 'supertest';
import { v7 as uuid } from 'uuid';
import type { InventoryCommands } from '../../src/modules/inventory/application/inventory-commands';
import { InventoryTokens } from '../../src/modules/inventory/inventory.tokens';
import { adminToken, type TestSystem } from '../support/test-system';
import { startInventoryTestSystem } from './inventory-test-system';

const widget = { sku: 'WIDGET-001', name: 'Premium Widget', price: 19.99, initialStock: 100 };
const widgetView = { sku: 'WIDGET-001', name: 'Premium Widget', price: 19.99, currency: 'USD', stock: { onHand: 100, reserved: 0, available: 100 } };

const expectProblem = (response: request.Response, status: number) => {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toEqual(
    expect.objectContaining({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) }),
  );
};

const expectSchemaProblem = (response: request.Response, path?: string) => {
  expectProblem(response, 400);
  expect(response.body.errors).toEqual(expect.arrayContaining([{ path: expect.any(String), message: expect.any(String) }]));
  expect(response.body.errors.length).toBeGreaterThan(0);
  if (path !== undefined) expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(path);
};

describe('products API', () => {
  let t: TestSystem;
  beforeEach(async () => {
    t = await startInventoryTestSystem();
  });
  afterEach(() => t.stop());

  const create = (body: unknown = widget) => t.admin().post('/api/products').send(body as object);

  describe('POST /api/products (admin)', () => {
    it('creates a product: 201, Location, the Product from the decided state; one ProductCreated in its stream', async () => {
      const response = await create();
      expect(response.status).toBe(201);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers.location).toBe('/api/products/WIDGET-001');
      expect(response.body).toEqual(widgetView);
      const events = await t.system.eventStore.readStream('Product-WIDGET-001');
      expect(events).toMatchObject([
        {
          type: 'ProductCreated',
          data: { sku: 'WIDGET-001', name: 'Premium Widget', price: 19.99, currency: 'USD', initialStock: 100 },
          metadata: { correlationId: expect.any(String), causationId: expect.any(String), schemaVersion: 1 },
        },
      ]);
    });

    it('is read at once: a GET right after the 201 finds it, in the list too', async () => {
      await create();
      expect((await t.http().get('/api/products/WIDGET-001')).body).toEqual(widgetView);
      expect((await t.http().get('/api/products')).body).toEqual({ items: [widgetView] });
    });

    it('keeps prices in cents: no floating-point drift in or out', async () => {
      const response = await create({ sku: 'CHEAP-1', name: 'Cheap', price: 0.1 + 0.2, initialStock: 0 });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ price: 0.3, stock: { onHand: 0, reserved: 0, available: 0 } });
      expect((await create({ sku: 'ROUND-1', name: 'Round', price: 10, initialStock: 1_000_000 })).body).toMatchObject({
        price: 10,
        stock: { onHand: 1_000_000 },
      });
    });

    it('answers 409 for a sku that exists, and writes nothing', async () => {
      await create();
      const before = await t.eventCount();
      const response = await create({ ...widget, name: 'Another', price: 1 });
      expectProblem(response, 409);
      expect(response.body.detail).toMatch(/WIDGET-001/);
      expect(await t.eventCount()).toBe(before);
      expect((await t.http().get('/api/products/WIDGET-001')).body).toEqual(widgetView);
    });

    it('creates a sku once when two creations race', async () => {
      const responses = await Promise.all([create(), create({ ...widget, name: 'Rival' })]);
      expect(responses.map((response) => response.status).sort()).toEqual([201, 409]);
      expect(await t.system.eventStore.readStream('Product-WIDGET-001')).toHaveLength(1);
    });
  });

  describe('GET /api/products', () => {
    it('answers 200 with no items before there is any', async () => {
      const response = await t.http().get('/api/products');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [] });
    });

    it('lists every product in sku order, for anyone', async () => {
      for (const sku of ['B-2', 'C-3', 'A-1']) await create({ ...widget, sku });
      const response = await t.http().get('/api/products');
      expect(response.status).toBe(200);
      expect(response.body.items.map((product: { sku: string }) => product.sku)).toEqual(['A-1', 'B-2', 'C-3']);
    });
  });

  describe('GET /api/products/:sku', () => {
    it('answers 404 for a sku that does not exist, or cannot', async () => {
      expectProblem(await t.http().get('/api/products/NOPE-1'), 404);
      expectProblem(await t.http().get('/api/products/lower-case'), 404);
      expectProblem(await t.http().get(`/api/products/${'X'.repeat(65)}`), 404);
    });

    it('shows the stock held and taken by orders (reserved, available)', async () => {
      await create();
      const inventory = t.system.container.get<InventoryCommands>(InventoryTokens.InventoryCommands);
      const reserved = await inventory.reserveInventory({ orderId: uuid(), items: [{ sku: 'WIDGET-001', quantity: 7 }] }, { causationId: uuid() });
      const deducted = await inventory.reserveInventory({ orderId: uuid(), items: [{ sku: 'WIDGET-001', quantity: 3 }] }, { causationId: uuid() });
      if (!deducted.ok || deducted.reservation.status === 'none') throw new Error('not reserved');
      const settled = await inventory.deductInventory(deducted.reservation.orderId, { causationId: uuid() });
      if (!reserved.ok || !settled.ok) throw new Error('not settled');
      expect(await t.system.projections.waitFor('products', settled.position!)).toBe(true);
      expect((await t.http().get('/api/products/WIDGET-001')).body).toEqual({
        ...widgetView,
        stock: { onHand: 97, reserved: 7, available: 90 },
      });
    });
  });

  describe('POST /api/products/:sku/restock (admin)', () => {
    it('adds to the stock on hand: 200 with the Product, read at once by a GET', async () => {
      await create();
      const response = await t.admin().post('/api/products/WIDGET-001/restock').send({ quantity: 25 });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ ...widgetView, stock: { onHand: 125, reserved: 0, available: 125 } });
      expect((await t.http().get('/api/products/WIDGET-001')).body).toEqual(response.body);
      expect((await t.system.eventStore.readStream('Product-WIDGET-001')).map((event) => event.type)).toEqual([
        'ProductCreated',
        'ProductRestocked',
      ]);
    });

    it('answers 404 for a sku that does not exist, or cannot, and writes nothing', async () => {
      const before = await t.eventCount();
      expectProblem(await t.admin().post('/api/products/NOPE-1/restock').send({ quantity: 1 }), 404);
      expectProblem(await t.admin().post('/api/products/lower-case/restock').send({ quantity: 1 }), 404);
      expect(await t.eventCount()).toBe(before);
    });

    it.each<[string, unknown, string | undefined]>([
      ['a quantity of 0', { quantity: 0 }, 'quantity'],
      ['a negative quantity', { quantity: -3 }, 'quantity'],
      ['a fractional quantity', { quantity: 1.5 }, 'quantity'],
      ['a quantity over 1,000,000', { quantity: 1_000_001 }, 'quantity'],
      ['a quantity as a string', { quantity: '5' }, 'quantity'],
      ['no quantity', {}, 'quantity'],
      ['an unknown field', { quantity: 1, note: 'x' }, ''],
    ])('answers 400 for %s, and writes nothing', async (_what, body, path) => {
      await create();
      const before = await t.eventCount();
      expectSchemaProblem(await t.admin().post('/api/products/WIDGET-001/restock').send(body as object), path);
      expect(await t.eventCount()).toBe(before);
    });
  });

  describe('admin routes', () => {
    it.each([
      ['POST', '/api/products'],
      ['POST', '/api/products/WIDGET-001/restock'],
    ])('%s %s answers 401 without the token or with a wrong one, before reading the body, and writes nothing', async (_method, url) => {
      await create();
      const before = await t.eventCount();
      for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${adminToken}`, adminToken]) {
        const call = t.http().post(url);
        if (authorization !== undefined) call.set('Authorization', authorization);
        const response = await call.send({ ...widget, sku: 'OTHER-1', quantity: 1 });
        expectProblem(response, 401);
        expect(response.headers['www-authenticate']).toBe('Bearer');
      }
      expectProblem(await t.http().post(url).set('content-type', 'text/plain').send('x'), 401);
      expect(await t.eventCount()).toBe(before);
    });
  });

  describe('bad input to POST /api/products changes nothing', () => {
    const sending = (raw: string, contentType = 'application/json') =>
      t.admin().post('/api/products').set('content-type', contentType).send(raw);

    it.each<[string, unknown, string | undefined]>([
      ['no body', {}, 'sku'],
      ['an array', [widget], undefined],
      ['a sku that is a number', { ...widget, sku: 42 }, 'sku'],
      ['a lower-case sku', { ...widget, sku: 'widget-001' }, 'sku'],
      ['a sku starting with a dash', { ...widget, sku: '-WIDGET' }, 'sku'],
      ['a sku with a space', { ...widget, sku: 'WID GET' }, 'sku'],
      ['a sku of 65 characters', { ...widget, sku: 'W'.repeat(65) }, 'sku'],
      ['an empty name', { ...widget, name: '' }, 'name'],
      ['a name of 201 characters', { ...widget, name: 'n'.repeat(201) }, 'name'],
      ['a name that is not a string', { ...widget, name: ['Widget'] }, 'name'],
      ['a price with three decimals', { ...widget, price: 19.999 }, 'price'],
      ['a price of 0', { ...widget, price: 0 }, 'price'],
      ['a negative price', { ...widget, price: -1 }, 'price'],
      ['a price too small to be a cent', { ...widget, price: 1e-9 }, 'price'],
      ['a price as a string', { ...widget, price: '19.99' }, 'price'],
      ['a price over a billion', { ...widget, price: 1e12 }, 'price'],
      ['a negative stock', { ...widget, initialStock: -1 }, 'initialStock'],
      ['a fractional stock', { ...widget, initialStock: 2.5 }, 'initialStock'],
      ['a stock over 1,000,000', { ...widget, initialStock: 1_000_001 }, 'initialStock'],
      ['a stock as a string', { ...widget, initialStock: '100' }, 'initialStock'],
      ['a null stock', { ...widget, initialStock: null }, 'initialStock'],
      ['a missing stock', { sku: 'WIDGET-001', name: 'W', price: 1 }, 'initialStock'],
      ['an unknown field', { ...widget, currency: 'EUR' }, ''],
    ])('answers 400 for %s, naming the field', async (_what, body, path) => {
      const before = await t.eventCount();
      expectSchemaProblem(await create(body), path);
      expect(await t.eventCount()).toBe(before);
      expect((await t.http().get('/api/products')).body).toEqual({ items: [] });
    });

    it.each([
      ['malformed JSON', '{"sku": "WIDGET-001",', 400],
      ['a JSON string', '"WIDGET-001"', 400],
      ['an empty JSON object', '{}', 400],
      ['a __proto__ key', `{"sku":"WIDGET-001","name":"W","price":1,"initialStock":1,"__proto__":{"polluted":true}}`, 400],
      ['a nested constructor key', `{"sku":"WIDGET-001","name":{"constructor":{"prototype":{"polluted":true}}},"price":1,"initialStock":1}`, 400],
      ['a prototype key', `{"sku":"WIDGET-001","name":"W","price":1,"initialStock":1,"prototype":1}`, 400],
    ])('answers %s with %d', async (_what, raw, status) => {
      const before = await t.eventCount();
      expectProblem(await sending(raw), status);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(await t.eventCount()).toBe(before);
    });

    it('answers a body that is not JSON 415', async () => {
      const before = await t.eventCount();
      expectProblem(await sending('sku=WIDGET-001', 'application/x-www-form-urlencoded'), 415);
      expectProblem(await sending(JSON.stringify(widget), 'text/plain'), 415);
      expectProblem(await t.admin().post('/api/products/WIDGET-001/restock').set('content-type', 'text/plain').send('5'), 415);
      expect(await t.eventCount()).toBe(before);
    });

    it('answers a body over 64 KiB 413', async () => {
      const before = await t.eventCount();
      expectProblem(await sending(JSON.stringify({ ...widget, name: 'n'.repeat(65 * 1024) })), 413);
      expectProblem(
        await t.admin().post('/api/products/WIDGET-001/restock').set('content-type', 'application/json').send(JSON.stringify({ quantity: 1, pad: 'x'.repeat(65 * 1024) })),
        413,
      );
      expect(await t.eventCount()).toBe(before);
    });
  });

  describe('OpenAPI', () => {
    it('documents every route of the router, with its schemas, problems and admin security', async () => {
      const { body } = await t.http().get('/api/openapi.json');
      const paths = body.paths as Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;
      expect(Object.keys(paths['/api/products']!).sort()).toEqual(['get', 'post']);
      expect(Object.keys(paths['/api/products/{sku}']!)).toEqual(['get']);
      expect(Object.keys(paths['/api/products/{sku}/restock']!)).toEqual(['post']);
      expect(paths['/api/products']!.post!.security).toEqual([{ adminToken: [] }]);
      expect(paths['/api/products/{sku}/restock']!.post!.security).toEqual([{ adminToken: [] }]);
      expect(paths['/api/products']!.get!.security).toBeUndefined();
      expect(Object.keys(paths['/api/products']!.post!.responses).sort()).toEqual(['201', '400', '401', '409', '413', '415']);
      expect(Object.keys(paths['/api/products/{sku}/restock']!.post!.responses).sort()).toEqual(['200', '400', '401', '404', '412', '413', '415']);
      expect(body.components.schemas.CreateProduct).toMatchObject({ additionalProperties: false, required: ['sku', 'name', 'price', 'initialStock'] });
      expect(body.components.schemas.Restock.properties.quantity).toMatchObject({ minimum: 1, maximum: 1_000_000 });
      expect(body.components.schemas.Product.properties).toHaveProperty('stock');
    });
  });
});
