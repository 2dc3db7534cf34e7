import type { ConsumerGroupHost, ReactionHandler } from '../consumer-groups.port';
import type { EventFilter, EventQuery } from '../event-query.port';
import type { AppendOptions, EventStore, ExpectedRevision, NewEvent, ReadManyOptions, ReadStreamOptions, SubscribeOptions, Subscription } from '../event-store.port';
import type { PersonalDataGuard } from './personal-data-guard';

/** What erases a subject's personal data: the store layer, which alone holds the keys. */
export interface PersonalDataEraser {
  erasePersonalData(subject: string): Promise<void>;
}

export const erasesPersonalData = (store: unknown): store is PersonalDataEraser =>
  typeof (store as Partial<PersonalDataEraser>).erasePersonalData === 'function';

/**
 * The store with personal fields sealed on append and opened on every read path (streams, `$all`,
 * categories, event types, replays, single events, subscriptions, consumer groups, the audit
 * query), below every module. A proxy, as the traced store: optional members and `instanceof` stay
 * the store's own.
 */
export const protectPersonalData = <Store extends EventStore>(store: Store, guard: PersonalDataGuard): Store & PersonalDataEraser => {
  const revealPositioned = async <Item extends { readonly event: Parameters<PersonalDataGuard['reveal']>[0] }>(items: readonly Item[]) =>
    Promise.all(items.map(async (item) => ({ ...item, event: await guard.reveal(item.event) })));
  const overrides: Record<string, unknown> = {
    append: async (stream: string, events: readonly NewEvent[], expected?: ExpectedRevision, options?: AppendOptions) =>
      store.append(stream, await guard.seal(events), expected, options),
    readStream: async (stream: string, options?: ReadStreamOptions) => guard.revealAll(await store.readStream(stream, options)),
    readAll: async (options?: ReadManyOptions) => revealPositioned(await store.readAll(options)),
    readCategory: async (category: string, options?: ReadManyOptions) => revealPositioned(await store.readCategory(category, options)),
    readEventType: async (type: string, options?: ReadManyOptions) => revealPositioned(await store.readEventType(type, options)),
    readEvent: async (eventId: string) => {
      const event = await store.readEvent(eventId);
      return event === undefined ? undefined : guard.reveal(event);
    },
    subscribe: (options: SubscribeOptions): Subscription => {
      const inner = store.subscribe(options);
      return {
        close: () => inner.close(),
        async *[Symbol.asyncIterator]() {
          for await (const positioned of inner) yield { ...positioned, event: await guard.reveal(positioned.event) };
        },
      };
    },
    erasePersonalData: (subject: string) => guard.destroy(subject),
    close: async () => {
      await store.close();
      await guard.close();
    },
  };
  if (store.replayCategory !== undefined) {
    const replay = store.replayCategory.bind(store);
    overrides.replayCategory = async (category: string, options?: ReadManyOptions) => {
      const page = await replay(category, options);
      return { ...page, events: await guard.revealAll(page.events) };
    };
  }
  const host = store as Partial<ConsumerGroupHost>;
  if (host.consumerGroups !== undefined) {
    const groups = host.consumerGroups.bind(store);
    overrides.consumerGroups = (handlers: readonly ReactionHandler[], options?: Parameters<ConsumerGroupHost['consumerGroups']>[1]) =>
      groups(
        handlers.map((handler) => {
          const handle: ReactionHandler['handle'] = async (event, context) => handler.handle(await guard.reveal(event), context);
          return withOverrides(handler, { handle });
        }),
        options,
      );
  }
  const query = (store as { readonly eventQuery?: EventQuery }).eventQuery;
  if (query !== undefined) {
    overrides.eventQuery = {
      find: async (filter: EventFilter) => {
        const page = await query.find(filter);
        return { ...page, events: await guard.revealAll(page.events) };
      },
      byId: async (eventId: string) => {
        const event = await query.byId(eventId);
        return event === undefined ? undefined : guard.reveal(event);
      },
    } satisfies EventQuery;
  }
  return withOverrides(store, overrides) as Store & PersonalDataEraser;
};

const withOverrides = <Target extends object>(target: Target, overrides: Record<string, unknown>): Target =>
  new Proxy(target, {
    get(inner, property) {
      if (typeof property === 'string' && Object.hasOwn(overrides, property)) return overrides[property];
      const value: unknown = Reflect.get(inner, property, inner);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(inner) : value;
    },
  });
