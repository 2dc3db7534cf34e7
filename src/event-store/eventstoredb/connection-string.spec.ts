// The client's own parser (not exported from the package index; read here to check that it sees our settings).
import { parseConnectionString } from '@eventstore/db-client/dist/Client/parseConnectionString';
import { withExplicitKeepAlive } from './connection-string';

describe('keepalive settings made explicit in the connection string', () => {
  it('adds the keepalive interval and timeout when the operator set none, and the client reads them', () => {
    const explicit = withExplicitKeepAlive('esdb://eventstoredb:2113?tls=false');
    expect(explicit).toBe('esdb://eventstoredb:2113?tls=false&keepAliveInterval=10000&keepAliveTimeout=10000');
    expect(parseConnectionString(explicit)).toMatchObject({ tls: false, keepAliveInterval: 10000, keepAliveTimeout: 10000 });
    expect(withExplicitKeepAlive('esdb://localhost:2113')).toBe('esdb://localhost:2113?keepAliveInterval=10000&keepAliveTimeout=10000');
  });

  it('keeps what the operator set, however it is spelled', () => {
    const explicit = withExplicitKeepAlive('esdb://a:2113,b:2113,c:2113?tls=false&keep-alive-interval=15000');
    expect(parseConnectionString(explicit)).toMatchObject({ keepAliveInterval: 15000, keepAliveTimeout: 10000 });
    expect(withExplicitKeepAlive('esdb://a:2113?KeepAliveInterval=-1&keepalivetimeout=20000')).toBe(
      'esdb://a:2113?KeepAliveInterval=-1&keepalivetimeout=20000',
    );
  });
});
