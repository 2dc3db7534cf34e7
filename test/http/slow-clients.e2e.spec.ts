import { connect, type Socket } from 'node:net';
import { composeSystem } from '../../src/container';
import { type RunningServer, startServer } from '../../src/server';
import { loadConfig } from '../../src/shared/config';
import { adminToken } from '../support/test-system';

/** A raw client: what it writes, and what it got back once the server closed the connection. */
const openSocket = (port: number): Promise<{ socket: Socket; closed: Promise<string> }> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    const closed = new Promise<string>((done) => socket.on('close', () => done(received)));
    socket.once('error', () => undefined);
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });

const startOn = async (environment: Record<string, string>, options: { headersTimeoutMs?: number; requestTimeoutMs?: number } = {}) => {
  const system = await composeSystem({ ...loadConfig({ EVENT_STORE: 'memory', LOG_LEVEL: 'silent', ...environment }), ADMIN_TOKEN: adminToken });
  return startServer(system, { port: 0, host: '127.0.0.1', ...options });
};

describe('bounded work per client (CONTRACT §5): slow headers, slow bodies, too many connections', () => {
  let running: RunningServer | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it('closes a connection whose headers dribble in past headersTimeout, answering 408', async () => {
    running = await startOn({}, { headersTimeoutMs: 500 });
    const { socket, closed } = await openSocket(running.port);
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // One header line every 200 ms, never the blank line that ends them: a slowloris.
    const dribble = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 200);
    try {
      expect(await closed).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      clearInterval(dribble);
    }
  });

  it('closes a connection whose body dribbles in past requestTimeout', async () => {
    running = await startOn({}, { headersTimeoutMs: 300, requestTimeoutMs: 800 });
    const { socket, closed } = await openSocket(running.port);
    socket.write('POST /api/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    const dribble = setInterval(() => socket.writable && socket.write(' '), 200);
    try {
      expect(await closed).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      clearInterval(dribble);
    }
  });

  it('drops a connection past MAX_CONNECTIONS at once, and takes one again when a place frees', async () => {
    running = await startOn({ MAX_CONNECTIONS: '2' });
    const held = await Promise.all([openSocket(running.port), openSocket(running.port)]);
    const refused = await openSocket(running.port);
    expect(await refused.closed).toBe('');
    held[0]!.socket.destroy();
    await held[0]!.closed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const again = await openSocket(running.port);
    again.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(await again.closed).toMatch(/^HTTP\/1\.1 200/);
    held[1]!.socket.destroy();
  });
});
