import { Container, ContainerModule } from 'inversify';
import type { Logger } from 'pino';
import { createEventStore } from './event-store/create-event-store';
import type { EventStore } from './event-store/event-store.port';
import type { Config } from './shared/config';
import type { ModuleRouter } from './shared/http/module-router';
import { createLogger } from './shared/logger';
import { Readiness } from './shared/readiness';
import { SharedTokens } from './shared/tokens';

/** The modules of the system, each with the one container module that binds its parts. */
const moduleContainers: readonly ContainerModule[] = [];

const sharedModule = (config: Config, logger: Logger, eventStore: EventStore): ContainerModule =>
  new ContainerModule(({ bind }) => {
    bind(SharedTokens.Config).toConstantValue(config);
    bind(SharedTokens.Logger).toConstantValue(logger);
    bind(SharedTokens.EventStore).toConstantValue(eventStore);
    bind(SharedTokens.Readiness)
      .toDynamicValue(() => {
        const readiness = new Readiness();
        readiness.register('event store', () => eventStore.ping());
        return readiness;
      })
      .inSingletonScope();
  });

export interface System {
  readonly container: Container;
  readonly config: Config;
  readonly logger: Logger;
  readonly eventStore: EventStore;
  readonly readiness: Readiness;
  readonly routers: readonly ModuleRouter[];
}

/** The composition root: the store is opened first, since every module's bindings need it. */
export const composeSystem = async (config: Config, logger: Logger = createLogger(config)): Promise<System> => {
  const eventStore = await createEventStore(config);
  const container = new Container({ defaultScope: 'Singleton' });
  container.load(sharedModule(config, logger, eventStore), ...moduleContainers);
  const routers = container.isBound(SharedTokens.HttpRouters) ? container.getAll<ModuleRouter>(SharedTokens.HttpRouters) : [];
  return {
    container,
    config,
    logger,
    eventStore,
    readiness: container.get<Readiness>(SharedTokens.Readiness),
    routers,
  };
};
