import { type Decider, type DomainEvent, isRejection, type Rejection } from '../domain/decider';

/**
 * Given/when/then for deciders: given the events so far, when a command, then the events decided, or
 * the rejection. No store and no mocks: the decider is pure.
 *
 *   spec.given([productCreated]).when(restock(5)).then([productRestocked(5)]);
 */
export const deciderSpecification = <State, Command, Event extends DomainEvent>(decider: Decider<State, Command, Event>) => ({
  given: (events: readonly Event[]) => ({
    when: (command: Command) => {
      const state = events.reduce(decider.evolve, decider.initialState);
      const decision = decider.decide(command, state);
      return {
        then: (expected: readonly Event[]) => {
          if (isRejection(decision)) throw new Error(`expected events, got rejection: ${decision.reason}`);
          expect(decision).toEqual(expected);
        },
        thenNothing: () => {
          if (isRejection(decision)) throw new Error(`expected no events, got rejection: ${decision.reason}`);
          expect(decision).toEqual([]);
        },
        thenRejects: (code: Rejection['code'], reason?: string | RegExp) => {
          if (!isRejection(decision)) throw new Error(`expected a rejection, got ${JSON.stringify(decision)}`);
          expect(decision.code).toBe(code);
          if (reason !== undefined) expect(decision.reason).toMatch(reason);
          return decision;
        },
      };
    },
  }),
});
