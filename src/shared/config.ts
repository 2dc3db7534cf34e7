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
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    EVENT_STORE: z.enum(['sqlite', 'memory', 'eventstoredb']).default('sqlite'),
    DATA_DIR: z.string().min(1).default('./data'),
    EVENTSTORE_CONNECTION_STRING: z.string().min(1).optional(),
    /** NORMAL survives a crash of the process; FULL also survives a power loss, at a third of the write rate. */
    SQLITE_SYNCHRONOUS: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
    ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    PAYMENT_DECLINE_RATE: z.coerce.number().min(0).max(1).default(0),
    PAYMENT_DELAY_MS: milliseconds.default(0),
    SAGA_TIMEOUT_MS: milliseconds.default(30000),
    SHIPMENT_AUTO_DISPATCH_MS: optionalMilliseconds,
    SHIPMENT_AUTO_DELIVER_MS: optionalMilliseconds,
    /** First backoff of a failing process-manager handler; it doubles on each of the 3 retries. */
    RETRY_BASE_DELAY_MS: milliseconds.default(100),
    /** Events the process managers may be behind (the largest lag of any) before new orders are refused with 503 (CONTRACT §5). */
    MAX_SAGA_LAG: z.coerce.number().int().min(1).default(5000),
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
