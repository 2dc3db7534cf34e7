/** Container tokens of what every module shares. Each module keeps its own tokens beside its container module. */
export const SharedTokens = {
  Config: Symbol.for('shared.Config'),
  Logger: Symbol.for('shared.Logger'),
  EventStore: Symbol.for('shared.EventStore'),
  Readiness: Symbol.for('shared.Readiness'),
  HttpRouters: Symbol.for('shared.HttpRouters'),
  BackgroundWorkers: Symbol.for('shared.BackgroundWorkers'),
} as const;
