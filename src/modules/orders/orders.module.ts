import type Database from 'better-sqlite3';
import { ContainerModule } from 'inversify';
import type { Logger } from 'pino';
import type { RunnableConfig } from '../../shared/config';
import type { EventStore } from '../../event-store/event-store.port';
import { erasesPersonalData } from '../../event-store/personal-data/personal-data-eraser';
import type { CommandHandler } from '../../shared/application/command-handler';
import type { AdmissionControl } from '../../shared/process-managers/admission-gate';
import type { ProjectionRunner } from '../../shared/read-models/projection-runner';
import { type Clock, SharedTokens } from '../../shared/tokens';
import { customersRouter } from './api/customers.router';
import { ordersRouter } from './api/orders.router';
import type { InstallationSecret } from '../../shared/application/installation-secret';
import type { OrderHistory } from '../../shared/application/order-history.port';
import { CustomerErasure } from './application/customer-erasure';
import { IdempotencyKeys } from './application/idempotency-keys';
import { OrderCommands } from './application/order-commands';
import { OrderReader } from './application/order-reader';
import { OrderSagaView } from './application/order-saga-view';
import { orderStream } from './application/order-stream';
import { ordersOnInventory, ordersOnPayments, ordersOnShipments } from './application/orders-saga.process-manager';
import { PaymentDeadlineWatcher } from './application/payment-deadline-watcher';
import type { ProductCatalog } from './application/product-catalog.port';
import { ReadModelProductCatalog } from './application/read-model-product-catalog';
import { OrdersTokens } from './orders.tokens';
import { CatalogProjection } from './read-models/catalog.projection';
import { OrderListQuery } from './read-models/order-list.query';
import { OrdersProjection } from './read-models/orders.projection';
import { DueDeadlines, PaymentDeadlinesProjection } from './read-models/payment-deadlines.projection';

export const ordersModule = new ContainerModule(({ bind }) => {
  bind(OrdersTokens.ProductCatalog).toDynamicValue(({ get }) => {
    const projections = get<ProjectionRunner>(SharedTokens.ProjectionRunner);
    return new ReadModelProductCatalog(get<Database.Database>(SharedTokens.ReadModelDatabase), (name) => projections.catchUp(name));
  });
  bind(OrdersTokens.OrderCommands).toDynamicValue(({ get }) => {
    const config = get<RunnableConfig>(SharedTokens.Config);
    const clock = get<Clock>(SharedTokens.Clock);
    return new OrderCommands(
      get<CommandHandler>(SharedTokens.CommandHandler),
      get<ProductCatalog>(OrdersTokens.ProductCatalog),
      clock,
      config.SAGA_TIMEOUT_MS,
      new IdempotencyKeys(get<InstallationSecret>(SharedTokens.InstallationSecret), config.IDEMPOTENCY_KEY_TTL_MS, clock),
      get<EventStore>(SharedTokens.EventStore).secrets,
    );
  });
  bind(OrdersTokens.OrderReader).toDynamicValue(({ get }) => new OrderReader(get<EventStore>(SharedTokens.EventStore)));
  bind(OrdersTokens.OrderListQuery).toDynamicValue(
    ({ get }) => new OrderListQuery(get<Database.Database>(SharedTokens.ReadModelDatabase)),
  );
  bind(SharedTokens.Projections).toConstantValue(new OrdersProjection());
  bind(SharedTokens.Projections).toConstantValue(new CatalogProjection());
  bind(SharedTokens.Projections).toConstantValue(new PaymentDeadlinesProjection());
  bind(SharedTokens.ProcessManagers).toDynamicValue(({ get }) => ordersOnInventory(get(OrdersTokens.OrderCommands)));
  bind(SharedTokens.ProcessManagers).toDynamicValue(({ get }) => ordersOnPayments(get(OrdersTokens.OrderCommands)));
  bind(SharedTokens.ProcessManagers).toDynamicValue(({ get }) => ordersOnShipments(get(OrdersTokens.OrderCommands)));
  bind(SharedTokens.BackgroundServices).toDynamicValue(({ get }) => {
    const timeoutMs = get<RunnableConfig>(SharedTokens.Config).SAGA_TIMEOUT_MS;
    return new PaymentDeadlineWatcher(
      get(OrdersTokens.OrderCommands),
      new DueDeadlines(get<Database.Database>(SharedTokens.ReadModelDatabase)),
      get<Clock>(SharedTokens.Clock),
      Math.min(1000, Math.max(20, Math.floor(timeoutMs / 10))),
      get<Logger>(SharedTokens.Logger),
    );
  });
  bind(SharedTokens.OrderHistories).toDynamicValue(({ get }): OrderHistory => {
    const store = get<EventStore>(SharedTokens.EventStore);
    return { eventsOf: (orderId) => store.readStream(orderStream(orderId)) };
  });
  bind(SharedTokens.HttpRouters).toDynamicValue(({ get }) => {
    const store = get<EventStore>(SharedTokens.EventStore);
    if (!erasesPersonalData(store)) throw new Error('the event store does not seal personal data: compose it with codedEventStore and a PersonalDataGuard (src/container.ts)');
    const erasure = new CustomerErasure(
      store,
      get(OrdersTokens.OrderListQuery),
      get<ProjectionRunner>(SharedTokens.ProjectionRunner),
      get<CommandHandler>(SharedTokens.CommandHandler),
    );
    return customersRouter({ adminToken: get<RunnableConfig>(SharedTokens.Config).ADMIN_TOKEN, erasure });
  });
  bind(SharedTokens.HttpRouters).toDynamicValue(({ get, getAll }) =>
    ordersRouter({
      adminToken: get<RunnableConfig>(SharedTokens.Config).ADMIN_TOKEN,
      commands: get(OrdersTokens.OrderCommands),
      reader: get(OrdersTokens.OrderReader),
      list: get(OrdersTokens.OrderListQuery),
      saga: new OrderSagaView(getAll<OrderHistory>(SharedTokens.OrderHistories)),
      admission: get<AdmissionControl>(SharedTokens.Admission),
      readYourWrites: get(SharedTokens.ReadYourWrites),
    }),
  );
});
