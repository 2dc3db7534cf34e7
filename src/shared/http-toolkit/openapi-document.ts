import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from './zod-openapi';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().openapi({ description: 'the path of the request this answers' }),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem', {
    description: 'RFC 9457 problem details; `type` is a page of this service saying what the problem means',
    example: {
      type: '/problems/validation-error',
      title: 'Bad Request',
      status: 400,
      detail: 'the request does not match its schema',
      instance: '/api/orders',
      errors: [{ path: 'shippingAddress.country', message: 'must be an ISO 3166-1 alpha-2 country code' }],
    },
  });

/** Problem answers, to spread into a path's `responses`. */
export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: `problem (${status})`, content: { 'application/problem+json': { schema: problemSchema } } },
    ]),
  );

export const adminSecurity = [{ adminToken: [] }];

export const createOpenApiRegistry = (): OpenAPIRegistry => {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'adminToken', { type: 'http', scheme: 'bearer' });
  return registry;
};

/** One tag per module (and for the audit log and operations), by the path's first segment after /api. */
const tagsByPrefix: ReadonlyArray<readonly [RegExp, string, string]> = [
  [/^\/api\/orders/, 'Orders', 'Placing, reading and cancelling orders; the saga of one order'],
  [/^\/api\/products/, 'Inventory', 'The catalog and its stock'],
  [/^\/api\/payments/, 'Payments', 'Payments taken and refunded'],
  [/^\/api\/shipments/, 'Shipments', 'Shipments, and the carrier\'s steps'],
  [/^\/api\/customers/, 'Customers', "Erasing a customer's personal data (CONTRACT §7)"],
  [/^\/api\/events/, 'Events', 'The audit trail: every event in store order'],
  [/^\/api\/admin|^\/(health|ready|metrics)/, 'Operations', 'Process managers, dead letters, read models'],
  [/^\/console/, 'Console', "The operator's pages: orders live, one order's timeline, process managers and read models"],
];

type Document = ReturnType<OpenApiGeneratorV31['generateDocument']>;

const tagged = (document: Document): Document => {
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    const tag = tagsByPrefix.find(([prefix]) => prefix.test(path))?.[1];
    if (tag === undefined) continue;
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = operations[method];
      if (operation !== undefined) operation.tags ??= [tag];
    }
  }
  return { ...document, tags: tagsByPrefix.map(([, name, description]) => ({ name, description })) };
};

const positionSchema = { type: 'string', pattern: '^[0-9]+$' } as const;
const readsWithPositions = /^\/api\/(orders|products|shipments|payments)(?!.*\/stream$)/;
const writesWithPositions = /^\/api\/(orders|products|shipments)/;

/**
 * CONTRACT §6 on every route it concerns, in one place: `minPosition` on the module reads, `asOf` on an
 * order, and the `Event-Position` header on every write's success.
 */
const withPositions = (document: Document): Document => {
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    const read = operations.get;
    if (read !== undefined && readsWithPositions.test(path)) {
      read.parameters = [
        ...(read.parameters ?? []),
        {
          name: 'minPosition',
          in: 'query',
          required: false,
          schema: positionSchema,
          description: 'answer only once this read has caught up with that position (an `Event-Position`); 503 with `Retry-After` past READ_WAIT_MS; 400 when malformed',
        },
        ...(path === '/api/orders/{orderId}'
          ? [{ name: 'asOf', in: 'query' as const, required: false, schema: positionSchema, description: 'the order as it was at that position: folded from its own events up to it' }]
          : []),
      ];
    }
    const write = operations.post;
    if (write !== undefined && writesWithPositions.test(path)) {
      for (const [status, response] of Object.entries(write.responses ?? {})) {
        if (!status.startsWith('2') || '$ref' in response) continue;
        response.headers = {
          ...(response.headers ?? {}),
          'Event-Position': { description: 'the global position of the last event this write appended (or of the state it answers): send it back as `minPosition`', schema: positionSchema },
        };
      }
    }
  }
  return document;
};

export const generateOpenApiDocument = (registry: OpenAPIRegistry): Document =>
  withPositions(tagged(new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Order platform',
      version: '1.0.0',
      description:
        'Event-sourced orders, inventory, payments and shipments. Errors are application/problem+json (RFC 9457). ' +
        'Admin routes need `Authorization: Bearer <ADMIN_TOKEN>`. Commands on an existing resource honour `If-Match` ' +
        '(the `ETag` of a read): a stale one is answered 412 and changes nothing.',
    },
  })));

/** The `If-Match` request header of a command on an existing resource (to put in a path's `request.headers`). */
export const ifMatchHeader = z.object({
  'If-Match': z
    .string()
    .optional()
    .openapi({ description: 'the ETag of the resource as last read; a stale one is answered 412 and changes nothing', example: '"3"' }),
});
