export type ReadinessCheck = () => Promise<void>;

export type CheckState = 'ok' | 'not ready';

export interface ReadinessReport {
  readonly ready: boolean;
  /** Each component's state, and nothing more: `/ready` is public, so why one is not ready stays inside. */
  readonly checks: Record<string, CheckState>;
  /** Why each failing check failed: for the logs, never for the public answer. */
  readonly reasons: Record<string, string>;
}

/** `/ready` answers 200 only when every registered check passes: the store answers, every subscription runs. */
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async report(): Promise<ReadinessReport> {
    const results = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          await check();
          return [name, undefined] as const;
        } catch (error) {
          return [name, error instanceof Error ? error.message : String(error)] as const;
        }
      }),
    );
    const failing = results.filter((result): result is readonly [string, string] => result[1] !== undefined);
    return {
      ready: failing.length === 0,
      checks: Object.fromEntries(results.map(([name, reason]) => [name, reason === undefined ? 'ok' : 'not ready'])),
      reasons: Object.fromEntries(failing),
    };
  }
}
