import { startTestSystem, type TestSystem } from '../support/test-system';

describe('API documentation', () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem();
  });
  afterAll(() => t.stop());

  it('serves an OpenAPI 3 document generated from the routers, with every route of the system', async () => {
    const response = await t.http().get('/api/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toMatch(/^3\./);
    const documented = Object.entries(response.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = t.system.routers.flatMap(({ router }) =>
      router.stack.flatMap((layer) => {
        const route = (layer as { route?: { path: string; methods: Record<string, boolean> } }).route;
        if (route === undefined) return [];
        return Object.keys(route.methods).map((method) => `${method.toUpperCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
      }),
    );
    expect(served.length).toBeGreaterThan(0);
    expect(documented.sort()).toEqual([...new Set(served)].sort());
  });

  it('documents CONTRACT §6 where it applies: minPosition on module reads, asOf on an order, Event-Position on writes', async () => {
    const { paths } = (await t.http().get('/api/openapi.json')).body;
    const queryNames = (operation: { parameters?: Array<{ name: string; in: string }> }) =>
      (operation.parameters ?? []).filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
    for (const path of ['/api/products/{sku}', '/api/orders', '/api/shipments/{shipmentId}', '/api/payments']) {
      expect(queryNames(paths[path].get)).toContain('minPosition');
    }
    expect(queryNames(paths['/api/orders/{orderId}'].get)).toEqual(expect.arrayContaining(['minPosition', 'asOf']));
    expect(queryNames(paths['/api/orders/{orderId}/stream'].get)).not.toContain('minPosition');
    expect(paths['/api/orders'].post.responses['201'].headers).toHaveProperty('Event-Position');
    expect(paths['/api/orders/{orderId}/cancel'].post.responses['202'].headers).toHaveProperty('Event-Position');
  });

  it('describes the request schemas as the validators see them (unknown fields refused)', async () => {
    const { body } = await t.http().get('/api/openapi.json');
    expect(body.components.schemas.PlaceOrder.additionalProperties).toBe(false);
    expect(body.components.schemas.PlaceOrder.properties.items.maxItems).toBe(50);
  });

  it('states the constraints the validators check (enums, patterns, multiples), with example bodies', async () => {
    const { body } = await t.http().get('/api/openapi.json');
    const { ShippingAddress, PlaceOrder, CreateProduct } = body.components.schemas;
    expect(ShippingAddress.properties.country.enum).toEqual(expect.arrayContaining(['US', 'DE', 'JP']));
    expect(ShippingAddress.properties.country.enum).not.toContain('XX');
    expect(CreateProduct.properties.sku.pattern).toBe('^[A-Z0-9][A-Z0-9_-]{0,63}$');
    expect(CreateProduct.properties.price.multipleOf).toBe(0.01);
    expect(PlaceOrder.example).toMatchObject({ customerId: expect.any(String), items: [{ sku: 'WIDGET-001', quantity: 2 }] });
    expect(body.components.schemas.Problem.properties.instance).toBeDefined();
  });

  it('tags every operation with its module', async () => {
    const { body } = await t.http().get('/api/openapi.json');
    const tagOf = (path: string, method: string) => body.paths[path][method].tags;
    expect(tagOf('/api/orders', 'post')).toEqual(['Orders']);
    expect(tagOf('/api/products', 'post')).toEqual(['Inventory']);
    expect(tagOf('/api/shipments/{shipmentId}/dispatch', 'post')).toEqual(['Shipments']);
    expect(tagOf('/api/events', 'get')).toEqual(['Events']);
    const untagged = Object.entries(body.paths as Record<string, Record<string, { tags?: string[] }>>).flatMap(([path, operations]) =>
      Object.entries(operations).filter(([, operation]) => (operation.tags ?? []).length === 0).map(([method]) => `${method} ${path}`),
    );
    expect(untagged).toEqual([]);
  });

  it('documents the 503 of admission control on POST /api/orders, with its Retry-After header', async () => {
    const { body } = await t.http().get('/api/openapi.json');
    const refused = body.paths['/api/orders'].post.responses['503'];
    expect(refused.description).toContain('MAX_SAGA_LAG');
    expect(refused.headers['Retry-After']).toMatchObject({ schema: { type: 'integer', minimum: 1 } });
    expect(refused.content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
    expect(body.paths['/api/admin/subscriptions'].get.responses['200'].content['application/json'].schema.properties.admission).toEqual({
      $ref: '#/components/schemas/Admission',
    });
  });

  it('serves a page to read it at /api/docs', async () => {
    const response = await t.http().get('/api/docs/').redirects(1);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.text).toContain('swagger-ui');
  });
});
