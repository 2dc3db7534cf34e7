import { Server, ServerCredentials, type sendUnaryData } from '@grpc/grpc-js';
import { PersistentSubscriptionsService } from '@eventstore/db-client/generated/persistent_grpc_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import * as features from '@eventstore/db-client/generated/serverfeatures_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { PersistentSubscriptions } from './persistent-service';
import { type StreamsFaults, streamsService } from './streams-service';
import { WireLog, type WireLogOptions } from './wire-log';

/**
 * A test double of the KurrentDB server at the wire: a gRPC server on 127.0.0.1 that registers
 * `@eventstore/db-client`'s own generated service definitions (streams, persistent subscriptions,
 * server features), so that the real client talks to it over a real socket exactly as to a server.
 * It lives under `test/` and is not a product: everything is in memory, single node, insecure.
 *
 * What it proves: the adapter's wiring, the options it sends, how it reads the answers, the errors
 * it maps (wrong expected version, stream not found, invalid position, group exists/missing), its
 * reconnects after a dropped connection (`dropConnections`), backpressure on reads and
 * subscriptions, and the semantics ported from the server's source (idempotency, positions, link
 * streams, parking and retries). What only a real server can: durability, clustering and leader
 * changes, performance, authorization and TLS, and any rule ported wrongly or not at all.
 */
export class WireServer {
  readonly log: WireLog;
  readonly faults: StreamsFaults = {};
  private server: Server | undefined;
  private persistent: PersistentSubscriptions;
  private boundPort = 0;

  constructor(private readonly options: WireLogOptions = {}) {
    this.log = new WireLog(options);
    this.persistent = new PersistentSubscriptions(this.log);
  }

  get port(): number {
    return this.boundPort;
  }

  /** A connection string for the client: one node, no TLS. */
  get connectionString(): string {
    return `esdb://127.0.0.1:${this.boundPort}?tls=false`;
  }

  async start(port = 0): Promise<void> {
    const server = new Server();
    server.addService(StreamsService, streamsService(this.log, this.faults));
    server.addService(PersistentSubscriptionsService, this.persistent.service());
    server.addService(ServerFeaturesService, {
      getSupportedMethods: (_call: unknown, callback: sendUnaryData<features.SupportedMethods>) => callback(null, supportedMethods()),
    });
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    this.server = server;
  }

  /**
   * Cuts every connection and call at once, then answers again on the same port: what clients see
   * when a node restarts. With `forgetRecentCommits`, memory-only state goes too, as on a restart.
   */
  async dropConnections({ forgetRecentCommits = false } = {}): Promise<void> {
    this.server?.forceShutdown();
    if (forgetRecentCommits) this.log.forgetRecentCommits();
    await this.start(this.boundPort);
  }

  async stop(): Promise<void> {
    this.server?.forceShutdown();
    this.server = undefined;
    this.persistent.close();
    this.log.close();
  }
}

/**
 * KurrentDB `ServerFeatures.cs`: every client method, lower-cased; persistent subscriptions with
 * the features `stream` and `all` (the client asks for them before using gRPC for GetInfo and
 * ReplayParked), reads with `position` and `events`, BatchAppend with `deadline_duration`.
 */
const supportedMethods = (): features.SupportedMethods => {
  const method = (service: string, name: string, featureList: string[] = []) =>
    new features.SupportedMethod().setServiceName(service).setMethodName(name).setFeaturesList(featureList);
  const persistentMethods = ['create', 'update', 'delete', 'read', 'getinfo', 'replayparked', 'list', 'restartsubsystem'];
  return new features.SupportedMethods()
    .setEventStoreServerVersion('26.0.3')
    .setMethodsList([
      method('event_store.client.streams.streams', 'read', ['position', 'events']),
      method('event_store.client.streams.streams', 'append'),
      method('event_store.client.streams.streams', 'batchappend', ['deadline_duration']),
      method('event_store.client.streams.streams', 'delete'),
      ...persistentMethods.map((name) => method('event_store.client.persistent_subscriptions.persistentsubscriptions', name, ['stream', 'all'])),
      method('event_store.client.server_features.serverfeatures', 'getsupportedmethods'),
    ]);
};
