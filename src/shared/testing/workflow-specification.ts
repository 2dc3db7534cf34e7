import type { DomainEvent } from '../domain/decider';
import type { Workflow } from '../domain/workflow';

/**
 * Given/when/then for workflows: given the events it received so far, when one more, then the
 * commands it sends. No store, no runner and no mocks: the workflow is pure.
 *
 *   spec.given([]).when(inventoryReserved).then([{ orderId, command: { type: 'ConfirmOrder' } }]);
 */
export const workflowSpecification = <Input extends DomainEvent, Command, State>(workflow: Workflow<Input, Command, State>) => ({
  given: (events: readonly Input[]) => ({
    when: (event: Input) => {
      const commands = workflow.decide(event, events.reduce(workflow.evolve, workflow.initialState));
      return {
        then: (expected: readonly Command[]) => expect(commands).toEqual(expected),
        thenNothing: () => expect(commands).toEqual([]),
      };
    },
  }),
});
