import type { Tracer } from '@opentelemetry/api';
import type Database from 'better-sqlite3';
import { Container, ContainerModule } from 'inversify';
import type { Logger } from 'pino';
import { hostsConsumerGroups } from './event-store/consumer-groups.port';
import { eventQueryOf, servesEventQuery } from './event-store/create-event-query';
import { createEventStore } from './event-store/create-event-store';
import { createPersonalDataKeys } from './event-store/personal-data/create-personal-data-keys';
import { PersonalDataGuard } from './event-store/personal-data/personal-data-guard';
import { chainCodecs, codedEventStore } from './event-store/coded-event-store';
import { EventVersions } from './event-store/upcasting/event-versions';
import type { EventStore } from './event-store/event-store.port';
import { adminRouter } from './http/admin.router';
import { eventsRouter } from './http/events.router';
import { consoleRouter } from './http/console/console.router';
import { CommitWakeups } from './http/live/commit-wakeups';
import { EventStreams } from './http/live/event-streams';
import { streamsRouter } from './http/live/streams.router';
import { inventoryModule } from './modules/inventory/inventory.module';
import type { OrderReader } from './modules/orders/application/order-reader';
import { orderEventUpcasters } from './modules/orders/application/order-event-upcasters';
import { orderPersonalData } from './modules/orders/contracts/order-personal-data';
import { ordersModule } from './modules/orders/orders.module';
import { OrdersTokens } from './modules/orders/orders.tokens';
import { paymentsModule } from './modules/payments/payments.module';
import { shipmentsModule } from './modules/shipments/shipments.module';
import { CommandHandler, type SnapshotPolicy } from './shared/application/command-handler';
import { InstallationSecret } from './shared/application/installation-secret';
import type { RunnableConfig } from './shared/config';
import type { ModuleRouter } from './shared/http-toolkit/module-router';
import { ReadYourWrites } from './shared/http-toolkit/read-your-writes';
import { createLogger } from './shared/logger';
import type { Projection } from './shared/read-models/projection';
import { ProjectionRunner } from './shared/read-models/projection-runner';
import { openReadModelDatabase } from './shared/read-models/read-model-database';
import { BackgroundCheckpointer } from './event-store/sqlite/background-checkpointer';
import { AdmissionGate } from './shared/process-managers/admission-gate';
import { resetCheckpointsAhead } from './shared/process-managers/checkpoints-ahead';
import { ConsumerGroupSupervisor } from './shared/process-managers/consumer-group-supervisor';
import { deadLetterDatabase, DeadLetterStore, moveDeadLetters } from './shared/process-managers/dead-letter-store';
import type { ProcessManagerRuntime } from './shared/process-managers/process-managers.port';
import { observeProcessManager } from './shared/process-managers/observed-process-manager';
import type { ProcessManager } from './event-store/consumer-groups.port';
import { ProcessManagerSupervisor } from './shared/process-managers/process-manager-supervisor';
import { Readiness } from './shared/readiness';
import { type BackgroundService, type Clock, SharedTokens } from './shared/tokens';
import { tracedEventStore } from './shared/tracing/traced-event-store';
import type { Tracing } from './shared/tracing/tracing';

export type { RunnableConfig } from './shared/config';

/** The modules of the system, each with the one container module that binds its parts. */
/** Every module's personal fields, which the store seals, and its events' upcasters (CONTRACT §7). */
const personalData = [...orderPersonalData];
export const eventVersions = new EventVersions([...orderEventUpcasters]);

export const systemModules: readonly ContainerModule[] = [ordersModule, inventoryModule, paymentsModule, shipmentsModule];

const sharedModule = (config: RunnableConfig, logger: Logger, eventStore: EventStore, clock: Clock, tracer: Tracer | undefined): ContainerModule =>
  new ContainerModule(({ bind }) => {
    bind(SharedTokens.Config).toConstantValue(config);
    bind(SharedTokens.Logger).toConstantValue(logger);
    bind(SharedTokens.Clock).toConstantValue(clock);
    bind(SharedTokens.EventStore).toConstantValue(eventStore);
    bind(SharedTokens.InstallationSecret).toConstantValue(new InstallationSecret(eventStore.secrets));
    bind(SharedTokens.CommandHandler).toDynamicValue(({ getAll }) => {
      const snapshots = Object.assign({}, ...getAll<Record<string, SnapshotPolicy>>(SharedTokens.SnapshotPolicies, { optional: true })) as Record<string, SnapshotPolicy>;
      return new CommandHandler(eventStore, { snapshots });
    });
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
    bind(SharedTokens.ReadYourWrites).toDynamicValue(
      ({ get }) => new ReadYourWrites(get<ProjectionRunner>(SharedTokens.ProjectionRunner), eventStore, config.READ_WAIT_MS),
    );
    bind(SharedTokens.ProcessManagerRuntime).toDynamicValue(({ get, getAll }): ProcessManagerRuntime => {
      const processManagers = getAll<ProcessManager>(SharedTokens.ProcessManagers, { optional: true }).map((processManager) => observeProcessManager(processManager, logger, tracer));
      // On a store with consumer groups (EventStoreDB) any number of instances share the work; otherwise each runs all of it.
      if (hostsConsumerGroups(eventStore)) {
        return new ConsumerGroupSupervisor(eventStore, processManagers, { baseDelayMs: config.RETRY_BASE_DELAY_MS });
      }
      const readModels = get<Database.Database>(SharedTokens.ReadModelDatabase);
      const letters = deadLetterDatabase(eventStore, readModels);
      const moved = moveDeadLetters(readModels, letters);
      if (moved > 0) logger.info({ moved }, 'dead letters moved beside the checkpoints, into the event store');
      return new ProcessManagerSupervisor(
        eventStore,
        processManagers,
        new DeadLetterStore(letters),
        logger,
        (processManager) => ({ maxInFlight: processManager.maxInFlight ?? 256, baseDelayMs: config.RETRY_BASE_DELAY_MS }),
      );
    });
    bind(SharedTokens.Admission).toDynamicValue(
      ({ get }) => new AdmissionGate(get<ProcessManagerRuntime>(SharedTokens.ProcessManagerRuntime), { limit: config.MAX_SAGA_LAG, logger }),
    );
    // Its lag reads run in the background from start to stop, like the other background services.
    bind(SharedTokens.BackgroundServices).toDynamicValue(({ get }) => get<AdmissionGate>(SharedTokens.Admission));
    bind(SharedTokens.HttpRouters).toDynamicValue(({ get }) =>
      adminRouter(config.ADMIN_TOKEN, get(SharedTokens.ProcessManagerRuntime), get(SharedTokens.ProjectionRunner), get(SharedTokens.Admission)),
    );
    const eventQuery = eventQueryOf(eventStore);
    bind(SharedTokens.EventStreams).toConstantValue(
      new EventStreams(eventQuery, new CommitWakeups(eventStore, logger), { maxStreams: config.MAX_EVENT_STREAMS, heartbeatMs: config.STREAM_HEARTBEAT_MS }, logger),
    );
    // Before the events router, whose `/api/events/:eventId` would take `stream` for an id.
    bind(SharedTokens.HttpRouters).toDynamicValue(({ get }) =>
      streamsRouter({
        adminToken: config.ADMIN_TOKEN,
        orderExists: async (orderId) => (await get<OrderReader>(OrdersTokens.OrderReader).read(orderId)) !== undefined,
        streams: get(SharedTokens.EventStreams),
        served: servesEventQuery(eventQuery),
        projections: get(SharedTokens.ProjectionRunner),
      }),
    );
    bind(SharedTokens.HttpRouters).toConstantValue(eventsRouter(config.ADMIN_TOKEN, eventQuery));
    bind(SharedTokens.HttpRouters).toConstantValue(consoleRouter());
    bind(SharedTokens.Readiness).toDynamicValue(({ get }) => {
      const readiness = new Readiness();
      const processManagers = get<ProcessManagerRuntime>(SharedTokens.ProcessManagerRuntime);
      readiness.register('event store', () => eventStore.ping());
      readiness.register('subscriptions', () => processManagers.assertReady());
      return readiness;
    });
  });

export interface System {
  readonly container: Container;
  readonly config: RunnableConfig;
  readonly logger: Logger;
  readonly eventStore: EventStore;
  /** Set when tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT): requests, appends and process managers get spans. */
  readonly tracer: Tracer | undefined;
  readonly readiness: Readiness;
  readonly routers: readonly ModuleRouter[];
  readonly projections: ProjectionRunner;
  readonly processManagers: ProcessManagerRuntime;
  /** Whether new orders are admitted now, from the process managers' lag. */
  readonly admission: AdmissionGate;
  /** The open Server-Sent Event streams: a stop ends them first, so that they hold no request open. */
  readonly streams: EventStreams;
  /** Starts the read models, the process managers and the background services. */
  start(): Promise<void>;
  /**
   * Stops taking events: the process managers after the events in hand (their checkpoints saved)
   * and the background services after their current step. The read models and the store stay open,
   * for the requests still in flight.
   */
  stopProcessing(): Promise<void>;
  /** Stops the processing (above), then the read models after their current batch, then closes the databases. */
  stop(): Promise<void>;
}

export interface ComposeOptions {
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** The module containers to load; all of the system's by default. */
  readonly modules?: readonly ContainerModule[];
  /** A store opened by the caller, instead of the one `config` names (tests: EventStoreDB on the client's fakes). */
  readonly eventStore?: EventStore;
  /**
   * Traces on: every append and process manager (and, served by `createApp`, every request) gets a span, and
   * the stop ends with `tracing.shutdown()` (the spans still buffered go out). Off when absent: nothing is wrapped.
   */
  readonly tracing?: Tracing;
}

/** 50 ms kept the one-client p99 at 16.7 ms; 100 ms gave 18.2, 200 ms 20.0 (docs/BENCHMARKS.md). */
const readModelCheckpointEveryMs = 50;

/** The composition root: the store is opened first, since every module's bindings need it. */
export const composeSystem = async (config: RunnableConfig, options: ComposeOptions = {}): Promise<System> => {
  const logger = options.logger ?? createLogger(config);
  const tracer = options.tracing?.tracer;
  const opened = options.eventStore ?? (await createEventStore(config));
  const guard = new PersonalDataGuard(createPersonalDataKeys(config, opened), personalData);
  // Stamped with its version, then sealed, on the way in; opened, then upcast, on every way out.
  const coded = codedEventStore(opened, chainCodecs([eventVersions, guard]), { erasePersonalData: (subject: string) => guard.destroy(subject) });
  const eventStore = tracer === undefined ? coded : tracedEventStore(coded, tracer);
  const container = new Container({ defaultScope: 'Singleton' });
  container.load(
    sharedModule(config, logger, eventStore, options.clock ?? (() => new Date()), tracer),
    ...(options.modules ?? systemModules),
  );
  const projections = container.get<ProjectionRunner>(SharedTokens.ProjectionRunner);
  const processManagers = container.get<ProcessManagerRuntime>(SharedTokens.ProcessManagerRuntime);
  const services = container.getAll<BackgroundService>(SharedTokens.BackgroundServices, { optional: true });
  const readModels = container.get<Database.Database>(SharedTokens.ReadModelDatabase);
  const readModelCheckpoints = readModels.memory
    ? undefined
    : new BackgroundCheckpointer(readModels, readModelCheckpointEveryMs, (failure) => logger.warn({ failure }, 'the read models\' background checkpoint failed; SQLite\'s own takes over'));
  const streams = container.get<EventStreams>(SharedTokens.EventStreams);
  // How long each part of a stop took, logged once it is done: the budget of a stop is 10 s (CONTRACT §5).
  const took: Record<string, number> = {};
  const timed = async (part: string, work: () => Promise<unknown>) => {
    const started = performance.now();
    try {
      await work();
    } finally {
      took[part] = Math.round(performance.now() - started);
    }
  };
  let stoppingProcessing: Promise<void> | undefined;
  const stopProcessing = () =>
    (stoppingProcessing ??= (async () => {
      await Promise.all([
        timed('processManagers', () => processManagers.stop()),
        timed('backgroundServices', () => Promise.all(services.map((service) => service.stop()))),
      ]);
    })());
  let stopping: Promise<void> | undefined;
  return {
    container,
    config,
    logger,
    eventStore,
    tracer,
    readiness: container.get<Readiness>(SharedTokens.Readiness),
    routers: container.getAll<ModuleRouter>(SharedTokens.HttpRouters, { optional: true }),
    projections,
    processManagers,
    admission: container.get<AdmissionGate>(SharedTokens.Admission),
    streams,
    start: async () => {
      // Checkpoints past the store's head (a store restored from a backup, a power cut) would skip the positions it hands out again.
      await projections.resetCopiesAhead();
      await resetCheckpointsAhead(eventStore, container.getAll<ProcessManager>(SharedTokens.ProcessManagers, { optional: true }), logger);
      projections.start();
      await processManagers.start();
      for (const service of services) service.start();
    },
    stopProcessing,
    stop: () =>
      (stopping ??= (async () => {
        await Promise.all([stopProcessing(), timed('eventStreams', () => streams.close())]);
        await timed('readModels', () => projections.stop());
        await timed('eventStore', () => eventStore.close());
        await timed('readModelDatabase', async () => {
          await readModelCheckpoints?.close();
          readModels.close();
        });
        logger.info({ stopMs: took }, 'system stopped');
        await options.tracing?.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'could not send the last spans'));
      })()),
  };
};
