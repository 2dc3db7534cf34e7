import { type IncomingHttpHeaders, request } from 'node:http';
import { eventually } from '../../src/shared/testing/eventually';

export interface SseMessage {
  readonly id: string;
  readonly event: string;
  readonly data: { readonly eventType: string; readonly position: string; readonly [key: string]: unknown };
}

export interface SseClient {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The messages so far (the SSE parser's result), in the order received. */
  readonly messages: SseMessage[];
  /** Comment lines so far (heartbeats). */
  readonly comments: string[];
  /** The body of a response that was not a stream (a problem). */
  body(): string;
  /** Resolves once a message satisfies the predicate; throws after the timeout. */
  waitFor(predicate: (message: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>;
  /** Resolves when the server ends the response. */
  readonly ended: Promise<void>;
  close(): void;
}

/** A Server-Sent Events client over real HTTP, parsing the format as a browser's EventSource does. */
export const openSse = (url: string, headers: Record<string, string> = {}): Promise<SseClient> =>
  new Promise((resolve, reject) => {
    const messages: SseMessage[] = [];
    const comments: string[] = [];
    let raw = '';
    let buffer = '';
    const outgoing = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      response.setEncoding('utf8');
      const ended = new Promise<void>((done) => {
        response.on('end', done);
        response.on('close', done);
      });
      response.on('data', (chunk: string) => {
        raw += chunk;
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else {
              const colon = line.indexOf(':');
              fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
            }
          }
          if (fields.data !== undefined) messages.push({ id: fields.id!, event: fields.event!, data: JSON.parse(fields.data) });
        }
      });
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        messages,
        comments,
        body: () => raw,
        waitFor: (predicate, timeoutMs = 10_000) =>
          eventually(() => {
            const found = messages.find(predicate);
            if (found === undefined) throw new Error(`no such message among ${messages.map((message) => message.event).join(', ')}`);
            return found;
          }, timeoutMs, 5),
        ended,
        close: () => outgoing.destroy(),
      });
    });
    outgoing.on('error', (error) => reject(error));
    outgoing.end();
  });
