import { createEventStore } from '../../src/event-store/create-event-store';
import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { loadConfig } from '../../src/shared/config';

/**
 * The store a crash test ran on, read by the test itself once its servers are gone: the embedded
 * store's file whole, or an EventStoreDB server, which holds earlier runs' events too, from the
 * head it had before the run.
 */
const openStore = (environment: Record<string, string>) => createEventStore(loadConfig({ ...environment, LOG_LEVEL: 'silent' }));

/** Where the store's history ends now: a run's events are all after it. */
export const headOfStore = async (environment: Record<string, string>): Promise<bigint> => {
  const store = await openStore(environment);
  try {
    return await store.headCheckpoint({ kind: 'all' });
  } finally {
    await store.close();
  }
};

/** Every event after `origin` (all of them without one), in store order. */
export const readStore = async (environment: Record<string, string>, origin?: bigint): Promise<RecordedEvent[]> => {
  const store = await openStore(environment);
  try {
    const events: RecordedEvent[] = [];
    for (let after = origin; ; ) {
      const page = await store.readAll({ after, maxCount: 1000 });
      if (page.length === 0) return events;
      for (const { event } of page) events.push(event);
      after = page[page.length - 1]!.checkpoint;
    }
  } finally {
    await store.close();
  }
};

/**
 * The events of one run on a store that others write to as well: its products' streams, and the
 * streams and lives (correlation ids) of the orders its customers placed.
 */
export const eventsOfTheRun = (
  events: readonly RecordedEvent[],
  run: { readonly skus: readonly string[]; readonly customers: readonly string[] },
): RecordedEvent[] => {
  const customers = new Set(run.customers);
  const streams = new Set(run.skus.map((sku) => `Product-${sku}`));
  for (const event of events) {
    if (event.type === 'OrderPlaced' && customers.has((event.data as { customerId?: string }).customerId ?? '')) streams.add(event.streamName);
  }
  const orderIds = new Set([...streams].filter((stream) => stream.startsWith('Order-')).map((stream) => stream.slice('Order-'.length)));
  return events.filter((event) => streams.has(event.streamName) || orderIds.has(String(event.metadata.correlationId)));
};
