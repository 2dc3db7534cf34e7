import type { Tracer } from '@opentelemetry/api';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { ModuleRouter } from '../shared/http-toolkit/module-router';
import { problemMiddleware, unknownRoute } from '../shared/http-toolkit/problem-middleware';
import type { Readiness } from '../shared/readiness';
import { apiDocsRouter } from './api-docs.router';
import { createHttpMetrics, type MetricSources } from './metrics';
import { operationalRouter } from './operational.router';
import { problemsRouter } from './problems.router';
import { requestLogging } from './request-logging';
import { requestTracing } from './request-tracing';

export interface AppParts extends MetricSources {
  readonly logger: Logger;
  /** Set when tracing is on: a span per request. */
  readonly tracer?: Tracer | undefined;
  readonly readiness: Readiness;
  readonly routers: readonly ModuleRouter[];
}

export const createApp = ({ logger, tracer, readiness, routers, processManagers, projections, admission }: AppParts): Express => {
  const app = express();
  const metrics = createHttpMetrics({ processManagers, projections, admission });
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(metrics.measureRequests);
  app.use(requestLogging(logger));
  if (tracer !== undefined) app.use(requestTracing(tracer));
  app.use(operationalRouter(readiness));
  app.get('/metrics', metrics.serve);
  app.use(apiDocsRouter(routers));
  app.use(problemsRouter());
  // The first page a person opens: the API documentation.
  app.get('/', (_request, response) => response.redirect(302, '/api/docs'));
  for (const { router } of routers) app.use(router);
  app.use(unknownRoute);
  app.use(problemMiddleware(logger));
  return app;
};
