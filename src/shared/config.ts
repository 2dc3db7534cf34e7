import { z } from 'zod';

const milliseconds = z.coerce.number().int().min(0);
const optionalMilliseconds = z
  .string()
  .trim()
  .transform((value, context) => {
    if (value === '' || value === 'off') return undefined;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0) {
      context.addIssue({ code: 'custom', message: 'must be a whole number of milliseconds, or off' });
      return z.NEVER;
    }
    return parsed;
  })
  .optional();

/** The environment of CONTRACT §4, validated once at start-up. */
export const configSchema = z
  .object({
    /** `production` makes ADMIN_TOKEN required (see settleAdminToken). */
    NODE_ENV: z.string().optional(),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    EVENT_STORE: z.enum(['sqlite', 'memory', 'eventstoredb']).default('sqlite'),
    DATA_DIR: z.string().min(1).default('./data'),
    EVENTSTORE_CONNECTION_STRING: z.string().min(1).optional(),
    /** FULL (the default) survives a power loss: no 201 goes out before its commit is on disk. NORMAL survives a crash of the process only. */
    SQLITE_SYNCHRONOUS: z.enum(['NORMAL', 'FULL']).default('FULL'),
    ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    PAYMENT_DECLINE_RATE: z.coerce.number().min(0).max(1).default(0),
    PAYMENT_DELAY_MS: milliseconds.default(0),
    SAGA_TIMEOUT_MS: milliseconds.default(30000),
    /** How long an Idempotency-Key is honoured: at least this, at most twice this (docs/SECURITY.md). 24 h by default. */
    IDEMPOTENCY_KEY_TTL_MS: z.coerce.number().int().min(1000).default(86_400_000),
    SHIPMENT_AUTO_DISPATCH_MS: optionalMilliseconds,
    SHIPMENT_AUTO_DELIVER_MS: optionalMilliseconds,
    /** First backoff of a failing process-manager handler; it doubles on each of the 3 retries. */
    RETRY_BASE_DELAY_MS: milliseconds.default(100),
    /** Events the process managers may be behind (the largest lag of any) before new orders are refused with 503 (CONTRACT §5). */
    MAX_SAGA_LAG: z.coerce.number().int().min(1).default(5000),
    /** How long a read with `minPosition` waits for what answers it to reach the position (CONTRACT §6). */
    READ_WAIT_MS: milliseconds.default(2000),
    /** Server-Sent Event streams open at once (order streams and the admin log together); past it, 503. */
    MAX_EVENT_STREAMS: z.coerce.number().int().min(1).default(1000),
    MAX_CONNECTIONS: z.coerce.number().int().min(1).default(2000),
    /** A comment line this often keeps proxies from closing an idle event stream. */
    STREAM_HEARTBEAT_MS: z.coerce.number().int().min(10).default(15000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** `auto`: readable lines on a terminal, JSON lines otherwise. */
    LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
    /** Traces over OTLP/HTTP to this collector; off when unset. The exporter reads the other OTEL_EXPORTER_OTLP_* variables itself. */
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
    OTEL_SERVICE_NAME: z.string().min(1).default('order-platform'),
  })
  .refine((env) => env.EVENT_STORE !== 'eventstoredb' || env.EVENTSTORE_CONNECTION_STRING !== undefined, {
    message: 'is required when EVENT_STORE=eventstoredb',
    path: ['EVENTSTORE_CONNECTION_STRING'],
  });

export type Config = z.infer<typeof configSchema>;

/** The configuration the system runs with: the admin token is settled (set, or generated at start-up). */
export type RunnableConfig = Config & { readonly ADMIN_TOKEN: string };

export class InvalidConfiguration extends Error {
  override readonly name = 'InvalidConfiguration';
}

export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new InvalidConfiguration(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
};

/**
 * The admin token the system runs with: ADMIN_TOKEN, or one made by `generate` (to be printed once
 * by the caller) except with NODE_ENV=production, where a token nobody set would leave the admin
 * routes guarded by a secret read off a log: there the start is refused, naming the variable.
 */
export const settleAdminToken = (config: Config, generate: () => string): { readonly config: RunnableConfig; readonly generated: boolean } => {
  if (config.ADMIN_TOKEN !== undefined) return { config: { ...config, ADMIN_TOKEN: config.ADMIN_TOKEN }, generated: false };
  if (config.NODE_ENV === 'production') {
    throw new InvalidConfiguration(
      'invalid configuration:\n  ADMIN_TOKEN: is required when NODE_ENV=production (a secret of at least 16 characters for the admin routes)',
    );
  }
  return { config: { ...config, ADMIN_TOKEN: generate() }, generated: true };
};
