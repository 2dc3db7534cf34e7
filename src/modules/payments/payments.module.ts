import type Database from 'better-sqlite3';
import { ContainerModule } from 'inversify';
import type { EventStore } from '../../event-store/event-store.port';
import type { CommandHandler } from '../../shared/application/command-handler';
import type { RunnableConfig } from '../../shared/config';
import { SharedTokens } from '../../shared/tokens';
import type { OrderHistory } from '../../shared/application/order-history.port';
import { paymentsRouter } from './api/payments.router';
import { PaymentCommands } from './application/payment-commands';
import { paymentIdFor, paymentStream } from './application/payment-stream';
import { paymentsOnOrders } from './application/payments-saga.process-manager';
import type { PaymentGateway } from './application/payment-gateway.port';
import { SimulatedPaymentGateway } from './application/simulated-payment-gateway';
import { PaymentsTokens } from './payments.tokens';
import { PaymentQuery } from './read-models/payment.query';
import { PaymentsProjection } from './read-models/payments.projection';

export const paymentsModule = new ContainerModule(({ bind }) => {
  bind(PaymentsTokens.PaymentGateway).toDynamicValue(({ get }) => {
    const config = get<RunnableConfig>(SharedTokens.Config);
    return new SimulatedPaymentGateway({ declineRate: config.PAYMENT_DECLINE_RATE, delayMs: config.PAYMENT_DELAY_MS });
  });
  bind(PaymentsTokens.PaymentCommands).toDynamicValue(
    ({ get }) => new PaymentCommands(get<CommandHandler>(SharedTokens.CommandHandler), get<PaymentGateway>(PaymentsTokens.PaymentGateway)),
  );
  bind(PaymentsTokens.PaymentQuery).toDynamicValue(({ get }) => new PaymentQuery(get<Database.Database>(SharedTokens.ReadModelDatabase)));
  bind(SharedTokens.Projections).toConstantValue(new PaymentsProjection());
  bind(SharedTokens.ProcessManagers).toDynamicValue(({ get }) =>
    paymentsOnOrders(get(PaymentsTokens.PaymentCommands), get<EventStore>(SharedTokens.EventStore)),
  );
  bind(SharedTokens.HttpRouters).toDynamicValue(({ get }) =>
    paymentsRouter({
      adminToken: get<RunnableConfig>(SharedTokens.Config).ADMIN_TOKEN,
      query: get(PaymentsTokens.PaymentQuery),
      readYourWrites: get(SharedTokens.ReadYourWrites),
    }),
  );
  bind(SharedTokens.OrderHistories).toDynamicValue(({ get }): OrderHistory => {
    const store = get<EventStore>(SharedTokens.EventStore);
    return { eventsOf: (orderId) => store.readStream(paymentStream(paymentIdFor(orderId))) };
  });
});
