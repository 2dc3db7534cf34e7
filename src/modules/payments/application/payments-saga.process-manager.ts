import type { EventStore, RecordedEvent } from '../../../event-store/event-store.port';
import type { ProcessManager } from '../../../event-store/consumer-groups.port';
import { asOrderEvent, orderCategory } from '../../orders/contracts/order-events';
import type { PaymentCommands, PaymentOutcome } from './payment-commands';
import { type PaymentsSagaCommand, paymentsSagaWorkflow } from './payments-saga.workflow';

const refusalIsFinal = (outcome: PaymentOutcome): void => {
  if (!outcome.ok && outcome.rejection.code === 'invalid') throw new Error(outcome.rejection.reason);
};

/**
 * The runner of the payments workflow: it does what each command asks, with the order's event as
 * the cause. Both events arrive on the order's stream, in order, so a cancel that raced a charge in
 * flight is handled after the charge and refunds it.
 *
 * The payment token waits apart from the log (the store's secrets) under the reference that the
 * events carry (`paymentMethod`): payments never reads the order's stream. A redelivered
 * OrderConfirmed finds the payment recorded and needs no token.
 */
export const paymentsOnOrders = (payments: PaymentCommands, store: Pick<EventStore, 'secrets'>): ProcessManager => {
  const send = async (command: PaymentsSagaCommand, causationId: string): Promise<void> => {
    switch (command.type) {
      case 'ChargeOrder': {
        const { orderId, amount, paymentMethod } = command;
        const token = 'tokenRef' in paymentMethod ? () => store.secrets.read(paymentMethod.tokenRef) : paymentMethod.token;
        refusalIsFinal(await payments.processPayment({ orderId, amount, token }, causationId));
        return;
      }
      case 'RefundOrder':
        // Nothing charged (not_found) or the charge failed (conflict): there is nothing to give back.
        await payments.refundPayment({ orderId: command.orderId, reason: command.reason }, causationId);
        return;
      case 'ForgetPaymentToken':
        if ('tokenRef' in command.paymentMethod) await store.secrets.erase(command.paymentMethod.tokenRef);
        return;
      default: {
        const unknownCommand: never = command;
        return unknownCommand;
      }
    }
  };
  return {
    name: 'payments-on-orders',
    category: orderCategory,
    eventTypes: ['OrderConfirmed', 'OrderCancelled', 'OrderRejected'],
    maxInFlight: 1024,
    async handle(recorded: RecordedEvent) {
      const event = asOrderEvent(recorded);
      if (event === undefined) return;
      for (const command of paymentsSagaWorkflow.decide(event, paymentsSagaWorkflow.initialState)) await send(command, recorded.id);
    },
  };
};
