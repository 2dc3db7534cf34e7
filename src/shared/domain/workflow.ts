import type { DomainEvent } from './decider';

/**
 * A process manager as a pure decision, the decider's shape turned around: from an event it
 * receives (and what it remembers) to the commands it sends. A thin runner does the I/O: it takes
 * one event at a time, narrows it, asks `decide`, and sends each command with the event as its
 * cause, so redelivery sends nothing twice.
 *
 * Our workflows remember nothing of their own (`State` is `undefined`): every command they send is
 * decided again on its target's stream, whose state is what matters (a second ConfirmOrder finds the
 * order CONFIRMED and appends nothing). `evolve` is kept so that a workflow that needs memory gets it
 * in the same shape, and so the given/when/then specification folds its history the same way.
 */
export interface Workflow<Input extends DomainEvent, Command, State = undefined> {
  readonly initialState: State;
  readonly decide: (input: Input, state: State) => readonly Command[];
  readonly evolve: (state: State, input: Input) => State;
}

/** A workflow whose decisions depend on the event alone. */
export const statelessWorkflow = <Input extends DomainEvent, Command>(
  decide: (input: Input) => readonly Command[],
): Workflow<Input, Command> => ({
  initialState: undefined,
  decide: (input) => decide(input),
  evolve: () => undefined,
});
