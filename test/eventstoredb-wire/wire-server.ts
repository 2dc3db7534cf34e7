import { createServer, connect, type Server as NetServer, type Socket } from 'node:net';
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { PersistentSubscriptionsService } from '@eventstore/db-client/generated/persistent_grpc_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import * as serverFeaturesPb from '@eventstore/db-client/generated/serverfeatures_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { PersistentGroups } from './persistent-groups';
import { streamsService, type WireStats } from './streams-service';
import { SystemProjections } from './system-projections';
import { WireLog, type WireLogOptions } from './wire-log';

export interface WireServerOptions extends WireLogOptions {
  /** How long after an append the system projections link it (the server's lag, a few ms). */
  readonly projectionLagMs?: number;
  /** Serve BatchAppend (as every server since 21.10 does; the client then appends through it) or only Append. */
  readonly batchAppend?: boolean;
}

/**
 * A test double of KurrentDB/EventStoreDB at the wire: a gRPC server on 127.0.0.1 that registers the
 * client package's OWN generated service definitions (`@eventstore/db-client/generated/*_grpc_pb`),
 * so requests and answers are encoded exactly as the client encodes and decodes them, and the real
 * `@eventstore/db-client` talks to it over a real socket (`esdb://127.0.0.1:<port>?tls=false`).
 *
 * It serves the subset the adapter uses (see README.md beside it). Its semantics are ported from the
 * server's source with a citation beside each rule. It lives in memory, in the test process: child
 * processes connect to its port, and a killed child leaves its state as a killed client leaves a
 * real server's.
 *
 * Clients reach it through a TCP relay, so that `dropConnections()` can cut every live connection
 * (what a network failure or a server restart does to a client) and `refuseConnections()` can make
 * it unreachable for a while.
 */
export class WireServer {
  readonly log: WireLog;
  readonly projections: SystemProjections;
  readonly groups: PersistentGroups;
  readonly stats: WireStats = { eventsSent: 0 };
  private readonly grpc = new Server({ 'grpc.max_receive_message_length': 17 * 1024 * 1024 });
  private relay: NetServer | undefined;
  private readonly sockets = new Set<Socket>();
  private grpcPort = 0;
  private relayPort = 0;
  private refusing = false;

  constructor(private readonly options: WireServerOptions = {}) {
    this.log = new WireLog(options);
    this.projections = new SystemProjections(this.log, options.projectionLagMs ?? 3);
    this.groups = new PersistentGroups(this.log);
    this.grpc.addService(StreamsService, streamsService(this.log, this.stats) as never);
    this.grpc.addService(PersistentSubscriptionsService, this.groups.service() as never);
    this.grpc.addService(ServerFeaturesService, { getSupportedMethods: this.supportedMethods } as never);
  }

  static async start(options: WireServerOptions = {}): Promise<WireServer> {
    const server = new WireServer(options);
    await server.listen();
    return server;
  }

  get port(): number {
    return this.relayPort;
  }

  get connectionString(): string {
    return `esdb://127.0.0.1:${this.relayPort}?tls=false`;
  }

  /** Cuts every open connection at once (in-flight calls fail with UNAVAILABLE on the client); new connections are accepted. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Cuts every connection and refuses new ones until `acceptConnections()`: the server is "down". */
  refuseConnections(): void {
    this.refusing = true;
    this.dropConnections();
  }

  acceptConnections(): void {
    this.refusing = false;
  }

  /** What a server restart forgets: the cache of recent event ids (weak idempotency). */
  restart(): void {
    this.dropConnections();
    this.log.forgetRecentIds();
  }

  async stop(): Promise<void> {
    this.projections.stop();
    this.groups.stop();
    this.dropConnections();
    await new Promise<void>((resolve) => (this.relay === undefined ? resolve() : this.relay.close(() => resolve())));
    this.grpc.forceShutdown();
  }

  private async listen(): Promise<void> {
    this.grpcPort = await new Promise<number>((resolve, reject) =>
      this.grpc.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
    this.relay = createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const upstream = connect(this.grpcPort, '127.0.0.1');
      // gRPC sets TCP_NODELAY on its own sockets; the relay must too, or Nagle and delayed ACKs add ~40 ms to small exchanges.
      client.setNoDelay(true);
      upstream.setNoDelay(true);
      this.sockets.add(client);
      this.sockets.add(upstream);
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    this.relayPort = await new Promise<number>((resolve, reject) => {
      this.relay!.once('error', reject);
      this.relay!.listen(0, '127.0.0.1', () => {
        const address = this.relay!.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  }

  /**
   * ServerFeatures.GetSupportedMethods (src/KurrentDB.Core/Services/Transport/Grpc/ServerFeatures.cs):
   * every method served, lower case; persistent-subscription methods with features `stream`, `all`;
   * Streams.Read with `position`, `events`; BatchAppend with `deadline_duration`. The client chooses
   * BatchAppend, and gRPC rather than HTTP for GetInfo and ReplayParked, from this answer. The double
   * lists only what it serves.
   */
  private readonly supportedMethods = (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<serverFeaturesPb.SupportedMethods>) => {
    const method = (service: string, name: string, features: string[] = []) =>
      new serverFeaturesPb.SupportedMethod().setServiceName(service.toLowerCase()).setMethodName(name.toLowerCase()).setFeaturesList(features);
    const streams = 'event_store.client.streams.Streams';
    const persistent = 'event_store.client.persistent_subscriptions.PersistentSubscriptions';
    const methods = [
      method(streams, 'Read', ['position', 'events']),
      method(streams, 'Append'),
      method(streams, 'Delete'),
      ...(this.options.batchAppend === false ? [] : [method(streams, 'BatchAppend', ['deadline_duration'])]),
      ...['Create', 'Update', 'Delete', 'Read', 'GetInfo', 'ReplayParked'].map((name) => method(persistent, name, ['stream', 'all'])),
      method('event_store.client.server_features.ServerFeatures', 'GetSupportedMethods'),
    ];
    callback(null, new serverFeaturesPb.SupportedMethods().setMethodsList(methods).setEventStoreServerVersion('24.10.0'));
  };
}
