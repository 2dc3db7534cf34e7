import type { Rejection } from '../domain/decider';
import { HttpProblem } from './problem';

const statusOf: Record<Rejection['code'], { status: number; title: string }> = {
  conflict: { status: 409, title: 'Conflict' },
  not_found: { status: 404, title: 'Not Found' },
  invalid: { status: 422, title: 'Unprocessable Content' },
};

/** The one mapping of domain rejections to HTTP. */
export const rejectionProblem = (rejection: Rejection): HttpProblem => {
  const { status, title } = statusOf[rejection.code];
  return new HttpProblem(status, rejection.code.replace('_', '-'), title, rejection.reason, rejection.details ?? {});
};
