import type { Request, RequestHandler, Response } from 'express';
import type { EventStore } from '../../event-store/event-store.port';
import type { ProjectionRunner } from '../read-models/projection-runner';
import { badRequest, serviceUnavailable } from './problem';
import { z } from './zod-openapi';

const maxPosition = 2n ** 63n - 1n;

/** A global position as clients send it back: what `Event-Position` and the envelopes' `position` hold. */
export const positionSchema = z
  .string()
  .regex(/^\d{1,19}$/, { message: 'must be a position: a string of digits', abort: true })
  .refine((value) => BigInt(value) <= maxPosition, 'is beyond the largest position');

/** Parses one query parameter as a position; 400 when malformed (or given twice). */
export const positionParameter = (request: Request, name: string): bigint | undefined => {
  const raw: unknown = (request.query as Record<string, unknown>)[name];
  if (raw === undefined) return undefined;
  const parsed = positionSchema.safeParse(raw);
  if (!parsed.success) {
    throw badRequest(`${name} is not a position`, [{ path: name, message: parsed.error.issues[0]?.message ?? 'must be a position' }]);
  }
  return BigInt(parsed.data);
};

/** Answers the header every successful write carries (CONTRACT §6): the global position of its last appended event. */
export const setEventPosition = (response: Response, position: bigint): void => {
  response.setHeader('Event-Position', position.toString());
};

type WaitForPosition = (position: bigint, timeoutMs: number) => Promise<boolean>;

/**
 * Read your writes on any read route (CONTRACT §6): `?minPosition=<position>` holds the request until
 * what answers it has caught up with that position, up to `READ_WAIT_MS`, then gives up with a 503
 * and `Retry-After: 1`. One mechanism for every route: a read model waits in its projection runner
 * (on any store, EventStoreDB included, through the store's `checkpointAt`); a route that reads the
 * streams themselves waits for the store to reach the position.
 */
export class ReadYourWrites {
  constructor(
    private readonly projections: Pick<ProjectionRunner, 'waitFor'>,
    private readonly store: Pick<EventStore, 'checkpointAt' | 'readStream'>,
    private readonly waitMs: number,
  ) {}

  /** For a route answered from the named read model. */
  readModel(name: string): RequestHandler {
    return this.gate(`read model ${name}`, (position, timeoutMs) => this.projections.waitFor(name, position, timeoutMs));
  }

  /** For a route answered from the event streams. */
  streams(): RequestHandler {
    return this.gate('event store', (position, timeoutMs) => this.storeReached(position, timeoutMs));
  }

  /** Whether the store holds the position (waiting up to `READ_WAIT_MS` for it); a 503 problem if it does not. */
  async assertStoreReached(position: bigint, response: Response): Promise<void> {
    if (await this.storeReached(position, this.waitMs)) return;
    throw this.behind('event store', position, response);
  }

  /**
   * What a write answers as `Event-Position`: the position of its last appended event, or for a
   * write that appended nothing (a repeated request) that of the stream's newest event, the state it answers.
   */
  async writePosition(appended: bigint | undefined, stream: string): Promise<bigint> {
    if (appended !== undefined) return appended;
    const [head] = await this.store.readStream(stream, { direction: 'backwards', maxCount: 1 });
    return head?.position ?? 0n;
  }

  private async storeReached(position: bigint, timeoutMs: number): Promise<boolean> {
    return (await this.store.checkpointAt({ kind: 'all' }, position, { timeoutMs })) !== undefined;
  }

  private behind(what: string, position: bigint, response: Response) {
    response.setHeader('Retry-After', '1');
    return serviceUnavailable('read-model-behind', `the ${what} has not reached position ${position} within ${this.waitMs} ms; try again shortly`, {
      position: position.toString(),
    });
  }

  private gate(what: string, waitFor: WaitForPosition): RequestHandler {
    return async (request, response, next) => {
      const position = positionParameter(request, 'minPosition');
      if (position === undefined) return next();
      // The route's own query schema does not know the parameter: it is taken out of the query.
      const { minPosition: _taken, ...rest } = request.query as Record<string, unknown>;
      Object.defineProperty(request, 'query', { value: rest, configurable: true, enumerable: true, writable: true });
      if (await waitFor(position, this.waitMs)) return next();
      throw this.behind(what, position, response);
    };
  }
}
