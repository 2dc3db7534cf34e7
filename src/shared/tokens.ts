/** Container tokens of what every module shares. Each module keeps its own tokens beside its container module. */
export const SharedTokens = {
  Config: Symbol.for('shared.Config'),
  Logger: Symbol.for('shared.Logger'),
  Clock: Symbol.for('shared.Clock'),
  EventStore: Symbol.for('shared.EventStore'),
  CommandHandler: Symbol.for('shared.CommandHandler'),
  ReadModelDatabase: Symbol.for('shared.ReadModelDatabase'),
  /** Multi-bound: every module binds its read models here. */
  Projections: Symbol.for('shared.Projections'),
  ProjectionRunner: Symbol.for('shared.ProjectionRunner'),
  Readiness: Symbol.for('shared.Readiness'),
  /** Multi-bound: every module binds its router here. */
  HttpRouters: Symbol.for('shared.HttpRouters'),
} as const;

/** The current time; passed into commands so that the domain never reads a clock. */
export type Clock = () => Date;
