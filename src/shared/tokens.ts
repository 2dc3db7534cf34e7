/** Container tokens of what every module shares. Each module keeps its own tokens beside its container module. */
export const SharedTokens = {
  Config: Symbol.for('shared.Config'),
  Logger: Symbol.for('shared.Logger'),
  Clock: Symbol.for('shared.Clock'),
  EventStore: Symbol.for('shared.EventStore'),
  CommandHandler: Symbol.for('shared.CommandHandler'),
  /** The installation's secret (an `InstallationSecret`), made once and kept with the data. */
  InstallationSecret: Symbol.for('shared.InstallationSecret'),
  /** `SnapshotPolicies` (by stream category) that a module asks the command handler to keep. */
  SnapshotPolicies: Symbol.for('shared.SnapshotPolicies'),
  ReadModelDatabase: Symbol.for('shared.ReadModelDatabase'),
  /** Multi-bound: every module binds its read models here. */
  Projections: Symbol.for('shared.Projections'),
  ProjectionRunner: Symbol.for('shared.ProjectionRunner'),
  /** Multi-bound: every module binds here its process managers, by which it follows the others. */
  ProcessManagers: Symbol.for('shared.ProcessManagers'),
  /** The process managers' runtime: catch-up runners (embedded store) or consumer-group members (EventStoreDB). */
  ProcessManagerRuntime: Symbol.for('shared.ProcessManagerRuntime'),
  /** Refuses new orders while the process managers are too far behind (CONTRACT §5). */
  Admission: Symbol.for('shared.Admission'),
  /** Multi-bound: background work with a start and a stop, e.g. the saga's deadline watcher. */
  BackgroundServices: Symbol.for('shared.BackgroundServices'),
  Readiness: Symbol.for('shared.Readiness'),
  /** `minPosition` on the read routes (CONTRACT §6). */
  ReadYourWrites: Symbol.for('shared.ReadYourWrites'),
  /** The Server-Sent Event streams of the log (CONTRACT §6). */
  EventStreams: Symbol.for('shared.EventStreams'),
  /** Multi-bound: every module binds here the `OrderHistory` of the events it keeps for an order (the saga view reads them). */
  OrderHistories: Symbol.for('shared.OrderHistories'),
  /** Multi-bound: every module binds its router here. */
  HttpRouters: Symbol.for('shared.HttpRouters'),
} as const;

/** The current time; passed into commands so that the domain never reads a clock. */
export type Clock = () => Date;

export interface BackgroundService {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
}
