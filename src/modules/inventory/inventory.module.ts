import type Database from 'better-sqlite3';
import { ContainerModule } from 'inversify';
import type { EventStore } from '../../event-store/event-store.port';
import type { CommandHandler, SnapshotPolicy } from '../../shared/application/command-handler';
import { productCategory } from './contracts/inventory-events';
import type { RunnableConfig } from '../../shared/config';
import type { ProjectionRunner } from '../../shared/read-models/projection-runner';
import { SharedTokens } from '../../shared/tokens';
import type { OrderHistory } from '../../shared/application/order-history.port';
import { inventoryRouter } from './api/inventory.router';
import { InventoryCommands } from './application/inventory-commands';
import { inventoryStream } from './application/inventory-streams';
import { inventoryOnOrders, inventoryOnShipments } from './application/inventory-saga.process-manager';
import { InventoryTokens } from './inventory.tokens';
import { ProductQueries } from './read-models/product.query';
import { ProductsProjection } from './read-models/products.projection';

/**
 * A hot product's stream grows with every order that touches it; its state is a few counts, so a
 * snapshot every 1,000 events bounds what a load after a restart reads.
 */
export const productSnapshots: Record<string, SnapshotPolicy> = { [productCategory]: { every: 1000, version: 1 } };

export const inventoryModule = new ContainerModule(({ bind }) => {
  bind(SharedTokens.SnapshotPolicies).toConstantValue(productSnapshots);
  bind(InventoryTokens.InventoryCommands).toDynamicValue(
    ({ get }) => new InventoryCommands(get<CommandHandler>(SharedTokens.CommandHandler), get<EventStore>(SharedTokens.EventStore)),
  );
  bind(InventoryTokens.ProductQueries).toDynamicValue(
    ({ get }) => new ProductQueries(get<Database.Database>(SharedTokens.ReadModelDatabase)),
  );
  bind(SharedTokens.Projections).toConstantValue(new ProductsProjection());
  bind(SharedTokens.ProcessManagers).toDynamicValue(({ get }) => inventoryOnOrders(get(InventoryTokens.InventoryCommands)));
  bind(SharedTokens.ProcessManagers).toDynamicValue(({ get }) => inventoryOnShipments(get(InventoryTokens.InventoryCommands)));
  bind(SharedTokens.HttpRouters).toDynamicValue(({ get }) =>
    inventoryRouter({
      adminToken: get<RunnableConfig>(SharedTokens.Config).ADMIN_TOKEN,
      commands: get<InventoryCommands>(InventoryTokens.InventoryCommands),
      queries: get<ProductQueries>(InventoryTokens.ProductQueries),
      projections: get<ProjectionRunner>(SharedTokens.ProjectionRunner),
      readYourWrites: get(SharedTokens.ReadYourWrites),
    }),
  );
  bind(SharedTokens.OrderHistories).toDynamicValue(({ get }): OrderHistory => {
    const store = get<EventStore>(SharedTokens.EventStore);
    return { eventsOf: (orderId) => store.readStream(inventoryStream(orderId)) };
  });
});
