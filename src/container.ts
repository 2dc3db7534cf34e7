import type Database from 'better-sqlite3';
import { Container, ContainerModule } from 'inversify';
import type { Logger } from 'pino';
import { createEventStore } from './event-store/create-event-store';
import type { EventStore } from './event-store/event-store.port';
import { ordersModule } from './modules/orders/orders.module';
import { paymentsModule } from './modules/payments/payments.module';
import { shipmentsModule } from './modules/shipments/shipments.module';
import { CommandHandler } from './shared/application/command-handler';
import type { RunnableConfig } from './shared/config';
import type { ModuleRouter } from './shared/http/module-router';
import { createLogger } from './shared/logger';
import type { Projection } from './shared/read-models/projection';
import { ProjectionRunner } from './shared/read-models/projection-runner';
import { openReadModelDatabase } from './shared/read-models/read-model-database';
import { Readiness } from './shared/readiness';
import { type Clock, SharedTokens } from './shared/tokens';

export type { RunnableConfig } from './shared/config';

/** The modules of the system, each with the one container module that binds its parts. */
const moduleContainers: readonly ContainerModule[] = [ordersModule, paymentsModule, shipmentsModule];

const sharedModule = (config: RunnableConfig, logger: Logger, eventStore: EventStore, clock: Clock): ContainerModule =>
  new ContainerModule(({ bind }) => {
    bind(SharedTokens.Config).toConstantValue(config);
    bind(SharedTokens.Logger).toConstantValue(logger);
    bind(SharedTokens.Clock).toConstantValue(clock);
    bind(SharedTokens.EventStore).toConstantValue(eventStore);
    bind(SharedTokens.CommandHandler).toConstantValue(new CommandHandler(eventStore));
    bind(SharedTokens.ReadModelDatabase).toConstantValue(openReadModelDatabase(config));
    bind(SharedTokens.ProjectionRunner).toDynamicValue(
      ({ get, getAll }) =>
        new ProjectionRunner(
          eventStore,
          get<Database.Database>(SharedTokens.ReadModelDatabase),
          getAll<Projection>(SharedTokens.Projections, { optional: true }),
          logger,
        ),
    );
    bind(SharedTokens.Readiness).toDynamicValue(() => {
      const readiness = new Readiness();
      readiness.register('event store', () => eventStore.ping());
      return readiness;
    });
  });

export interface System {
  readonly container: Container;
  readonly config: RunnableConfig;
  readonly logger: Logger;
  readonly eventStore: EventStore;
  readonly readiness: Readiness;
  readonly routers: readonly ModuleRouter[];
  readonly projections: ProjectionRunner;
  /** Starts the read models (and, later, the process managers). */
  start(): void;
  /** Stops the background work after its current event, then closes the databases. */
  stop(): Promise<void>;
}

export interface ComposeOptions {
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** The module containers to load; all of the system's by default. */
  readonly modules?: readonly ContainerModule[];
}

/** The composition root: the store is opened first, since every module's bindings need it. */
export const composeSystem = async (config: RunnableConfig, options: ComposeOptions = {}): Promise<System> => {
  const logger = options.logger ?? createLogger(config);
  const eventStore = await createEventStore(config);
  const container = new Container({ defaultScope: 'Singleton' });
  container.load(
    sharedModule(config, logger, eventStore, options.clock ?? (() => new Date())),
    ...(options.modules ?? moduleContainers),
  );
  const projections = container.get<ProjectionRunner>(SharedTokens.ProjectionRunner);
  const readModels = container.get<Database.Database>(SharedTokens.ReadModelDatabase);
  let stopping: Promise<void> | undefined;
  return {
    container,
    config,
    logger,
    eventStore,
    readiness: container.get<Readiness>(SharedTokens.Readiness),
    routers: container.getAll<ModuleRouter>(SharedTokens.HttpRouters, { optional: true }),
    projections,
    start: () => projections.start(),
    stop: () =>
      (stopping ??= (async () => {
        await projections.stop();
        await eventStore.close();
        readModels.close();
      })()),
  };
};
