import type { ComposeOptions } from '../../src/container';
import type { EventStore } from '../../src/event-store/event-store.port';
import { CommandHandler, type CommandHandlerOptions } from '../../src/shared/application/command-handler';
import { newEventId } from '../../src/shared/application/event-ids';
import { InventoryCommands } from '../../src/modules/inventory/application/inventory-commands';
import { inventoryModule } from '../../src/modules/inventory/inventory.module';
import { startTestSystem, type TestSystem } from '../support/test-system';

/**
 * The system with the inventory module loaded. (Until the module is one of src/container.ts's
 * `moduleContainers`, the default system does not have it; composeSystem's `modules` option loads it.)
 */
export const startInventoryTestSystem = (environment: Record<string, string> = {}, options: ComposeOptions = {}): Promise<TestSystem> =>
  startTestSystem(environment, { modules: [inventoryModule], ...options });

/** One process's view of the inventory: its own command handler (queue and cache) on a shared store. */
export const inventoryProcess = (store: EventStore, options: CommandHandlerOptions = {}) => {
  const handler = new CommandHandler(store, options);
  return { handler, inventory: new InventoryCommands(handler, store) };
};

export const cause = () => ({ causationId: newEventId() });

export const givenProducts = async (inventory: InventoryCommands, stock: Record<string, number>): Promise<void> => {
  for (const [sku, initialStock] of Object.entries(stock)) {
    const outcome = await inventory.createProduct({ sku, name: `Product ${sku}`, price: 9.99, initialStock });
    if (!outcome.ok) throw new Error(outcome.rejection.reason);
  }
};

export const countEvents = async (store: EventStore): Promise<number> => {
  let count = 0;
  let after: bigint | undefined;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 1000 });
    if (page.length === 0) return count;
    count += page.length;
    after = page[page.length - 1]!.checkpoint;
  }
};
