/** An RFC 9457 problem detail, answered as `application/problem+json`. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: ReadonlyArray<{ readonly path: string; readonly message: string }>;
  readonly [extension: string]: unknown;
}

/** An expected failure at the HTTP edge; the problem middleware answers it as it is. */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';

  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
  }

  toProblem(): ProblemDetails {
    return { type: problemType(this.slug), title: this.title, status: this.status, detail: this.message, ...this.extensions };
  }
}

export const problemType = (slug: string): string => `/problems/${slug}`;

export const notFound = (what: string): HttpProblem => new HttpProblem(404, 'not-found', 'Not Found', `${what} was not found`);

export const conflict = (detail: string, extensions?: Record<string, unknown>): HttpProblem =>
  new HttpProblem(409, 'conflict', 'Conflict', detail, extensions);

export const unprocessable = (detail: string, extensions?: Record<string, unknown>): HttpProblem =>
  new HttpProblem(422, 'unprocessable', 'Unprocessable Content', detail, extensions);

export const badRequest = (detail: string, errors: ProblemDetails['errors'] = []): HttpProblem =>
  new HttpProblem(400, 'validation-error', 'Bad Request', detail, { errors });

export const serviceUnavailable = (slug: string, detail: string, extensions?: Record<string, unknown>): HttpProblem =>
  new HttpProblem(503, slug, 'Service Unavailable', detail, extensions);
