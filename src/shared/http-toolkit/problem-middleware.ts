import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { isTransientStoreError } from '../../event-store/errors';
import { ConcurrencyConflict, PreconditionFailed } from '../application/command-handler';
import { HttpProblem, type ProblemDetails, problemType } from './problem';

/** Answers the problem, with `instance`: the path of the request it answers (its query left out, which may name a person). */
export const sendProblem = (response: Parameters<RequestHandler>[1], problem: ProblemDetails): void => {
  const instance = problem.instance ?? response.req.originalUrl.split('?')[0];
  response.status(problem.status).type('application/problem+json').json({ ...problem, instance });
};

export const unknownRoute: RequestHandler = (request, response) => {
  sendProblem(response, {
    type: problemType('not-found'),
    title: 'Not Found',
    status: 404,
    detail: `no route for ${request.method} ${request.path}`,
  });
};

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

const fromBodyParser = (error: BodyParserError & Error): ProblemDetails | undefined => {
  switch (error.type) {
    case 'entity.parse.failed':
      return { type: problemType('malformed-json'), title: 'Bad Request', status: 400, detail: 'the request body is not valid JSON' };
    case 'entity.too.large':
      return { type: problemType('payload-too-large'), title: 'Content Too Large', status: 413, detail: error.message };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { type: problemType('unsupported-media-type'), title: 'Unsupported Media Type', status: 415, detail: error.message };
    default:
      return error.expose === true && error.status !== undefined && error.status < 500
        ? { type: problemType('validation-error'), title: 'Bad Request', status: error.status, detail: error.message }
        : undefined;
  }
};

const fromZod = (error: ZodError): ProblemDetails => ({
  type: problemType('validation-error'),
  title: 'Bad Request',
  status: 400,
  detail: 'the request does not match its schema',
  errors: error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
});

/** The one place where errors become HTTP answers. Only an unreachable store is a 5xx that is expected. */
export const problemMiddleware =
  (logger: Logger): ErrorRequestHandler =>
  (error: unknown, _request, response, _next) => {
    if (error instanceof HttpProblem) return sendProblem(response, error.toProblem());
    if (error instanceof ZodError) return sendProblem(response, fromZod(error));
    if (error instanceof PreconditionFailed) {
      return sendProblem(response, { type: problemType('precondition-failed'), title: 'Precondition Failed', status: 412, detail: error.message });
    }
    if (error instanceof Error) {
      const fromParser = fromBodyParser(error as BodyParserError & Error);
      if (fromParser !== undefined) return sendProblem(response, fromParser);
    }
    if (error instanceof ConcurrencyConflict) {
      return sendProblem(response, {
        type: problemType('conflict'),
        title: 'Conflict',
        status: 409,
        detail: 'the resource kept changing under concurrent requests; read it again and retry',
      });
    }
    // Unreachable, overloaded, or SQLite busy, full or failing an I/O: it clears, so the client may try again.
    if (isTransientStoreError(error)) {
      logger.warn({ err: error }, 'the event store could not serve a request');
      response.setHeader('Retry-After', '1');
      return sendProblem(response, {
        type: problemType('store-unavailable'),
        title: 'Service Unavailable',
        status: 503,
        detail: 'the event store cannot serve this request now; try again shortly',
      });
    }
    logger.error({ err: error }, 'unhandled error while answering a request');
    sendProblem(response, {
      type: problemType('internal-error'),
      title: 'Internal Server Error',
      status: 500,
      detail: 'an unexpected error occurred; it has been logged',
    });
  };
