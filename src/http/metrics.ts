import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

interface SubscriptionFigures {
  readonly name: string;
  readonly lag: number;
  readonly retries: number;
  readonly deadLetters: number;
  readonly transientRetries?: number;
  readonly restarts?: number;
}

interface ReadModelFigures {
  readonly name: string;
  readonly lag: number;
  readonly status: string;
}

interface AdmissionFigures {
  readonly refusing: boolean;
  readonly maxLag: number;
  readonly limit: number;
  readonly refusedTotal: number;
}

/** What the metrics read when they are scraped; each is optional, so an app without them still serves the rest. */
export interface MetricSources {
  readonly processManagers?: { status(): Promise<readonly SubscriptionFigures[]> };
  readonly projections?: { status(): Promise<readonly ReadModelFigures[]> };
  readonly admission?: { status(): AdmissionFigures };
}

export interface HttpMetrics {
  readonly registry: Registry;
  /** Counts and times every request, labelled by its route pattern (never by its raw path). */
  readonly measureRequests: RequestHandler;
  readonly serve: RequestHandler;
}

const prefix = 'order_platform_';

const settled = async <T>(figures: Promise<readonly T[]> | undefined): Promise<readonly T[]> => (await figures?.catch(() => undefined)) ?? [];

/** The route a request matched, as its pattern (`/api/orders/:orderId`), so that ids do not become labels. */
const routeOf = (request: Request): string => {
  const path = (request.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${request.baseUrl}${path}` : 'unmatched';
};

let processMetrics: Registry | undefined;

/** The process's own metrics (CPU, memory, event loop, GC) observe the process: collected once, whichever app serves them. */
const processRegistry = (): Registry => {
  if (processMetrics === undefined) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics, prefix });
  }
  return processMetrics;
};

/**
 * Prometheus metrics: the process's, and in a registry of the app's own (not the library's global
 * one, so that two apps in one process do not share counters) the HTTP requests' and, read at each
 * scrape, the process managers' and the read models' lag, retries, dead letters and rebuilds, and
 * admission control's refusals of new orders.
 */
export const createHttpMetrics = ({ processManagers, projections, admission }: MetricSources): HttpMetrics => {
  const own = new Registry();
  const requests = new Counter({
    name: `${prefix}http_requests_total`,
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [own],
  });
  const durations = new Histogram({
    name: `${prefix}http_request_duration_seconds`,
    help: 'Time from a request to the end of its answer, by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [own],
  });
  const gauge = (name: string, help: string, label: string) =>
    new Gauge({ name: `${prefix}${name}`, help, labelNames: [label], registers: [own] });
  const subscriptionLag = gauge('subscription_lag_events', 'Events of its category a process manager has still to handle', 'subscription');
  const subscriptionRetries = gauge('subscription_retries', 'Handler retries of a process manager since the process started', 'subscription');
  const transientRetries = gauge('subscription_transient_retries', 'Retries of a process manager after store errors that clear by themselves (never dead-lettered) since the process started', 'subscription');
  const restarts = gauge('subscription_restarts', 'Times a process manager\'s subscription failed and was started again since the process started', 'subscription');
  const deadLetters = gauge('subscription_dead_letters', 'Events that failed every retry of a process manager and wait for a replay', 'subscription');
  const readModelLag = gauge('read_model_lag_events', 'Events of its category a read model has still to apply', 'read_model');
  const rebuilding = gauge('read_model_rebuilding', '1 while a read model is being rebuilt', 'read_model');
  const ordersRefused = new Counter({
    name: `${prefix}orders_refused_total`,
    help: 'Orders answered 503 because the process managers were behind by more than MAX_SAGA_LAG events',
    registers: [own],
  });
  const single = (name: string, help: string) => new Gauge({ name: `${prefix}${name}`, help, registers: [own] });
  const admissionRefusing = single('admission_refusing', '1 while new orders are refused because the process managers are too far behind');
  const admissionLag = single('admission_max_lag_events', 'The largest lag of any process manager, as admission control last read it');
  const admissionLimit = single('admission_max_lag_limit_events', 'MAX_SAGA_LAG: new orders are refused while the largest lag is above it');

  /**
   * Read once per scrape, before the registry is written out, so that every gauge shows the same
   * moment. A source that cannot answer (its store is down) keeps its last figures; the rest of the
   * scrape, the process and HTTP metrics above all, is served all the same.
   */
  const readBackgroundWork = async (): Promise<void> => {
    const [subscriptions, readModels] = await Promise.all([settled(processManagers?.status()), settled(projections?.status())]);
    for (const { name, lag, retries, deadLetters: letters, transientRetries: transient, restarts: restarted } of subscriptions) {
      subscriptionLag.set({ subscription: name }, lag);
      subscriptionRetries.set({ subscription: name }, retries);
      if (transient !== undefined) transientRetries.set({ subscription: name }, transient);
      if (restarted !== undefined) restarts.set({ subscription: name }, restarted);
      deadLetters.set({ subscription: name }, letters);
    }
    for (const { name, lag, status } of readModels) {
      readModelLag.set({ read_model: name }, lag);
      rebuilding.set({ read_model: name }, status === 'rebuilding' ? 1 : 0);
    }
    if (admission !== undefined) {
      const { refusing, maxLag, limit, refusedTotal } = admission.status();
      // The gate counts the refusals; the counter shows its total (it only ever grows, as a counter must).
      ordersRefused.reset();
      ordersRefused.inc(refusedTotal);
      admissionRefusing.set(refusing ? 1 : 0);
      admissionLag.set(maxLag);
      admissionLimit.set(limit);
    }
  };

  const measureRequests = (request: Request, response: Response, next: NextFunction): void => {
    const end = durations.startTimer();
    response.once('finish', () => {
      const route = routeOf(request);
      end({ method: request.method, route });
      requests.inc({ method: request.method, route, status: String(response.statusCode) });
    });
    next();
  };
  // After the app's own metrics exist: a merge takes the metrics its registries hold at that moment.
  const registry = Registry.merge([processRegistry(), own]);
  const serve = async (_request: Request, response: Response): Promise<void> => {
    await readBackgroundWork();
    response.type(registry.contentType).send(await registry.metrics());
  };
  return { registry, measureRequests, serve };
};
