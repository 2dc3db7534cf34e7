/**
 * gRPC keepalive of the client, made explicit: a dead TCP connection (a failed-over node, a NAT
 * that dropped the flow) is noticed within interval + timeout, which ends the live subscriptions
 * with an error so that they resubscribe. The client's own defaults are 10 s / 10 s; we write them
 * into the connection string so that they are visible in configuration and logs, and keep any
 * value the operator set.
 */
export interface KeepAlive {
  /** ms between keepalive pings; the client warns below 10 000. */
  readonly keepAliveInterval: number;
  /** ms to wait for the ping's acknowledgement before closing the connection. */
  readonly keepAliveTimeout: number;
}

export const defaultKeepAlive: KeepAlive = { keepAliveInterval: 10_000, keepAliveTimeout: 10_000 };

/** The client parses query keys case-insensitively and ignoring `-`/`_` (its parseConnectionString). */
const flat = (key: string) => key.trim().toLowerCase().replace(/[_-]/g, '');

export const withExplicitKeepAlive = (connectionString: string, keepAlive: KeepAlive = defaultKeepAlive): string => {
  const trimmed = connectionString.trim().replace(/\/+$/, '');
  const queryStart = trimmed.indexOf('?');
  const query = queryStart === -1 ? '' : trimmed.slice(queryStart + 1);
  const present = new Set(
    query
      .split('&')
      .filter((pair) => pair !== '')
      .map((pair) => flat(pair.split('=')[0]!)),
  );
  const missing = (Object.keys(keepAlive) as Array<keyof KeepAlive>).filter((key) => !present.has(flat(key)));
  if (missing.length === 0) return trimmed;
  const added = missing.map((key) => `${key}=${keepAlive[key]}`).join('&');
  if (queryStart === -1) return `${trimmed}?${added}`;
  return query === '' ? `${trimmed}${added}` : `${trimmed}&${added}`;
};
