/** An event as the domain sees it: a past-tense fact, before the store gives it an id and a position. */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

/** An expected refusal of a command, returned as a value and mapped to HTTP in one place. */
export interface Rejection {
  readonly rejected: true;
  /** `conflict`: not in the right state (409); `not_found` (404); `invalid`: cannot be done as asked (422). */
  readonly code: 'conflict' | 'not_found' | 'invalid';
  readonly reason: string;
  readonly details?: Record<string, unknown>;
}

export type Decision<Event extends DomainEvent> = readonly Event[] | Rejection;

export const reject = (code: Rejection['code'], reason: string, details?: Record<string, unknown>): Rejection => ({
  rejected: true,
  code,
  reason,
  ...(details === undefined ? {} : { details }),
});

export const isRejection = <Event extends DomainEvent>(decision: Decision<Event>): decision is Rejection =>
  (decision as Rejection).rejected === true;

/** An aggregate as a pure triple: no I/O, no clock, no random ids; time and ids come in with the command. */
export interface Decider<State, Command, Event extends DomainEvent> {
  readonly initialState: State;
  readonly evolve: (state: State, event: Event) => State;
  readonly decide: (command: Command, state: State) => Decision<Event>;
}
