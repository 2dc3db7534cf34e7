import type { RequestHandler } from 'express';
import type { AdmissionControl } from '../process-managers/admission-gate';
import { serviceUnavailable } from './problem';

/**
 * Mounted first on a route that starts new saga work (`POST /api/orders`): while the process
 * managers are too far behind it answers 503 with `Retry-After`, before the body is read and before
 * anything (an idempotency record included) is written. Asking is a look at a cached figure.
 */
export const admissionControl =
  (admission: AdmissionControl): RequestHandler =>
  (_request, response, next) => {
    const answer = admission.admit();
    if (answer.admitted) return next();
    response.setHeader('Retry-After', String(answer.retryAfterSeconds));
    next(
      serviceUnavailable(
        'saga-behind',
        `the order saga is ${answer.lag} events behind, more than the ${answer.limit} allowed: no order was placed; try again in ${answer.retryAfterSeconds} s`,
        { retryAfterSeconds: answer.retryAfterSeconds },
      ),
    );
  };
