import type Database from 'better-sqlite3';
import { ContainerModule } from 'inversify';
import type { EventStore } from '../../event-store/event-store.port';
import type { CommandHandler } from '../../shared/application/command-handler';
import type { OrderHistory } from '../../shared/application/order-history.port';
import type { RunnableConfig } from '../../shared/config';
import type { ProjectionRunner } from '../../shared/read-models/projection-runner';
import { type Clock, SharedTokens } from '../../shared/tokens';
import { shipmentsRouter } from './api/shipments.router';
import { carrierDelivery, carrierPickUp } from './application/carrier-simulation.process-manager';
import { ShipmentCommands } from './application/shipment-commands';
import { shipmentIdFor, shipmentStream } from './application/shipment-stream';
import { shipmentsOnOrders } from './application/shipments-saga.process-manager';
import { ShippedOrdersProjection } from './read-models/shipped-orders.projection';
import { ShippedOrdersQuery } from './read-models/shipped-orders.query';
import { ShipmentQuery } from './read-models/shipment.query';
import { ShipmentsProjection } from './read-models/shipments.projection';
import { ShipmentsTokens } from './shipments.tokens';

export const shipmentsModule = new ContainerModule(({ bind }) => {
  bind(ShipmentsTokens.ShipmentCommands).toDynamicValue(({ get }) => {
    const projections = get<ProjectionRunner>(SharedTokens.ProjectionRunner);
    const shipped = new ShippedOrdersQuery(get<Database.Database>(SharedTokens.ReadModelDatabase), (name) => projections.catchUp(name));
    return new ShipmentCommands(get<CommandHandler>(SharedTokens.CommandHandler), get<Clock>(SharedTokens.Clock), (orderId) =>
      shipped.isShipped(orderId),
    );
  });
  bind(ShipmentsTokens.ShipmentQuery).toDynamicValue(
    ({ get }) => new ShipmentQuery(get<Database.Database>(SharedTokens.ReadModelDatabase)),
  );
  bind(SharedTokens.Projections).toConstantValue(new ShipmentsProjection());
  bind(SharedTokens.Projections).toConstantValue(new ShippedOrdersProjection());
  bind(SharedTokens.ProcessManagers).toDynamicValue(({ get }) => shipmentsOnOrders(get(ShipmentsTokens.ShipmentCommands)));
  bind(SharedTokens.ProcessManagers).toDynamicValue(({ get }) =>
    carrierPickUp(
      get(ShipmentsTokens.ShipmentCommands),
      get<RunnableConfig>(SharedTokens.Config).SHIPMENT_AUTO_DISPATCH_MS,
      get<Clock>(SharedTokens.Clock),
    ),
  );
  bind(SharedTokens.ProcessManagers).toDynamicValue(({ get }) =>
    carrierDelivery(
      get(ShipmentsTokens.ShipmentCommands),
      get<RunnableConfig>(SharedTokens.Config).SHIPMENT_AUTO_DELIVER_MS,
      get<Clock>(SharedTokens.Clock),
    ),
  );
  bind(SharedTokens.HttpRouters).toDynamicValue(({ get }) =>
    shipmentsRouter({
      adminToken: get<RunnableConfig>(SharedTokens.Config).ADMIN_TOKEN,
      commands: get(ShipmentsTokens.ShipmentCommands),
      query: get(ShipmentsTokens.ShipmentQuery),
      projections: get<ProjectionRunner>(SharedTokens.ProjectionRunner),
      readYourWrites: get(SharedTokens.ReadYourWrites),
    }),
  );
  bind(SharedTokens.OrderHistories).toDynamicValue(({ get }): OrderHistory => {
    const store = get<EventStore>(SharedTokens.EventStore);
    return { eventsOf: (orderId) => store.readStream(shipmentStream(shipmentIdFor(orderId))) };
  });
});
