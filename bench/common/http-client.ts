import { Agent, type IncomingHttpHeaders, request } from 'node:http';

export interface JsonResponse<T = unknown> {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: T;
}

/**
 * The status of one GET on a fresh connection (no agent: nothing kept between probes), or
 * undefined when nothing answers (not listening yet, refused, reset, or no answer within timeoutMs).
 */
export const probe = (port: number, path: string, timeoutMs = 1000): Promise<number | undefined> =>
  new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'GET', path, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });

/**
 * A small JSON client over node:http with keep-alive sockets to 127.0.0.1 (undici is not in the
 * root node_modules; the global fetch costs more CPU per request on the load generator's core).
 */
export class JsonClient {
  private readonly agent: Agent;

  constructor(
    private readonly port: number,
    maxSockets: number,
    private readonly defaultHeaders: Record<string, string> = {},
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
  }

  get<T = unknown>(path: string, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
    return this.send<T>('GET', path, undefined, headers);
  }

  post<T = unknown>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
    return this.send<T>('POST', path, JSON.stringify(body), headers);
  }

  close(): void {
    this.agent.destroy();
  }

  private send<T>(method: string, path: string, payload: string | undefined, headers: Record<string, string>): Promise<JsonResponse<T>> {
    return new Promise((resolve, reject) => {
      const outgoing: Record<string, string | number> = { ...this.defaultHeaders, ...headers, accept: 'application/json' };
      if (payload !== undefined) {
        outgoing['content-type'] = 'application/json';
        outgoing['content-length'] = Buffer.byteLength(payload);
      }
      const req = request({ host: '127.0.0.1', port: this.port, method, path, agent: this.agent, headers: outgoing }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          if (text !== '' && (res.headers['content-type'] ?? '').includes('json')) {
            try {
              body = JSON.parse(text);
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
              return;
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body as T });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}
