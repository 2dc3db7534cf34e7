/**
 * Every problem type the service answers, by slug: `type` is `/problems/<slug>`, and that URL serves
 * this description (`src/http/problems.router.ts`). A test checks that every slug the code uses is here.
 */
export interface ProblemTypeInfo {
  readonly title: string;
  readonly status: number;
  readonly description: string;
}

export const problemCatalog: Readonly<Record<string, ProblemTypeInfo>> = {
  'validation-error': {
    title: 'Bad Request',
    status: 400,
    description:
      'The request does not match its schema: a missing or unknown field, a wrong type, a value out of its range or pattern, ' +
      'or a malformed query parameter or header. `errors` lists each one as `{ path, message }`. Nothing was changed.',
  },
  'malformed-json': { title: 'Bad Request', status: 400, description: 'The request body is not valid JSON. Nothing was changed.' },
  'forbidden-key': {
    title: 'Bad Request',
    status: 400,
    description: 'The body holds a key that is never accepted (such as `__proto__`). Nothing was changed.',
  },
  'too-deep': {
    title: 'Bad Request',
    status: 400,
    description: 'The request body nests arrays or objects deeper than any request of this API needs (32 levels). Nothing was changed.',
  },
  unauthorized: {
    title: 'Unauthorized',
    status: 401,
    description: 'An admin route was called without `Authorization: Bearer <ADMIN_TOKEN>`, or with a wrong token.',
  },
  'not-found': { title: 'Not Found', status: 404, description: 'No such resource, or no such route.' },
  conflict: {
    title: 'Conflict',
    status: 409,
    description:
      'The resource is not in a state that allows this command (an order already shipped cannot be cancelled; a sku that exists cannot be created again). Nothing was changed.',
  },
  'precondition-failed': {
    title: 'Precondition Failed',
    status: 412,
    description:
      'The `If-Match` header names a version (an `ETag`) the resource is no longer at: someone changed it since you read it. ' +
      'Read it again, and decide again. Nothing was changed.',
  },
  'payload-too-large': { title: 'Content Too Large', status: 413, description: 'The request body is over 64 KiB. Nothing was changed.' },
  'unsupported-media-type': {
    title: 'Unsupported Media Type',
    status: 415,
    description: 'Request bodies must be `application/json` (UTF-8). Nothing was changed.',
  },
  unprocessable: {
    title: 'Unprocessable Content',
    status: 422,
    description:
      'The request is well formed but cannot be carried out as it is: an order names an unknown sku, or an `Idempotency-Key` is reused with another body. Nothing was changed.',
  },
  'internal-error': {
    title: 'Internal Server Error',
    status: 500,
    description: 'Something unexpected went wrong; it has been logged. This is a bug: please report it with the time and the `X-Request-Id`.',
  },
  'saga-behind': {
    title: 'Service Unavailable',
    status: 503,
    description:
      'New orders are refused for a moment: the process managers are more than `MAX_SAGA_LAG` events behind (admission control). ' +
      'No order was placed; try again after `Retry-After` seconds. Every other route keeps serving.',
  },
  'read-model-behind': {
    title: 'Service Unavailable',
    status: 503,
    description:
      'The read asked for `minPosition`, and the read model serving it had not applied that position within `READ_WAIT_MS`. ' +
      'Nothing is wrong with the write: try again after `Retry-After` seconds, or read without `minPosition` to get what it has now.',
  },
  stopping: {
    title: 'Service Unavailable',
    status: 503,
    description: 'The server is stopping and opens no new event stream. Connect again shortly (to this instance once it is back, or another one).',
  },
  'too-many-streams': {
    title: 'Service Unavailable',
    status: 503,
    description: 'As many event streams are open as the server keeps (`MAX_EVENT_STREAMS`). Try again after `Retry-After` seconds, or close a stream you no longer read.',
  },
  'store-unavailable': {
    title: 'Service Unavailable',
    status: 503,
    description: 'The event store cannot be reached. Nothing was changed; try again shortly.',
  },
};
