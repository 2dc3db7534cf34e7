import { context, propagation, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { RequestHandler } from 'express';

/**
 * A server span per request, active for all the work the request does (its appends are its
 * children), continuing the caller's trace when it sends a `traceparent`. Named by route pattern,
 * never by the URL's ids, once the answer is sent.
 */
export const requestTracing =
  (tracer: Tracer): RequestHandler =>
  (request, response, next) => {
    const parent = propagation.extract(context.active(), request.headers);
    const span = tracer.startSpan(request.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method } }, parent);
    response.once('close', () => {
      const route = (request.route as { path?: string } | undefined)?.path;
      if (route !== undefined) {
        span.updateName(`${request.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', response.statusCode);
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
