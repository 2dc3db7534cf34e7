import type { ConsumerGroupHost, ProcessManager } from './consumer-groups.port';
import type { EventFilter, EventQuery } from './event-query.port';
import type {
  AppendOptions,
  EventStore,
  ExpectedRevision,
  NewEvent,
  PositionedEvent,
  ReadManyOptions,
  ReadStreamOptions,
  RecordedEvent,
  ReplayedEvent,
  SubscribeOptions,
  Subscription,
} from './event-store.port';

/**
 * How events are written and read below the modules: `encode` on the way into the store (stamp a
 * schema version, seal personal fields), `decode` on every way out (open them, upcast to the newest
 * shape), so that no module ever sees a stored form.
 */
export interface EventCodec {
  /** Whether it changes events of this type at all: the others pass by with no work (most of them). */
  handles(type: string): boolean;
  encode(events: readonly NewEvent[]): Promise<readonly NewEvent[]>;
  /** At once where it can (an upcast); a promise only where it must wait (a key to look up). */
  decode<Event extends ReplayedEvent | RecordedEvent>(event: Event): Event | Promise<Event>;
  close?(): Promise<void>;
}

type Decoded<Event> = Event | Promise<Event>;

const isPromise = <Value>(value: Decoded<Value>): value is Promise<Value> => value instanceof Promise;

/** Decoded events as a plain array when every one was decoded at once: no promise, no turn per event. */
const settled = <Event>(decoded: readonly Decoded<Event>[]): Event[] | Promise<Event[]> =>
  decoded.some(isPromise) ? Promise.all(decoded) : (decoded as Event[]);

/** Codecs one after the other: encoded in this order, decoded in the reverse one. */
export const chainCodecs = (codecs: readonly EventCodec[]): EventCodec => {
  const decoders = [...codecs].reverse();
  return {
    handles: (type) => codecs.some((codec) => codec.handles(type)),
    encode: async (events) => {
      let encoded = events;
      for (const codec of codecs) encoded = await codec.encode(encoded);
      return encoded;
    },
    decode: <Event extends ReplayedEvent | RecordedEvent>(event: Event): Decoded<Event> => {
      let decoded: Decoded<Event> = event;
      for (const codec of decoders) {
        if (!codec.handles(event.type)) continue;
        decoded = isPromise(decoded) ? decoded.then((ready) => codec.decode(ready)) : codec.decode(decoded);
      }
      return decoded;
    },
    close: async () => {
      for (const codec of codecs) await codec.close?.();
    },
  };
};

/**
 * The store with its events encoded on append and decoded on every read path (streams, `$all`,
 * categories, event types, replays, single events, subscriptions, consumer groups, the audit query).
 * A proxy, as the traced store: optional members and `instanceof` stay the store's own; `extras`
 * adds members (the personal-data eraser).
 */
export const codedEventStore = <Store extends EventStore, Extras extends object>(store: Store, codec: EventCodec, extras: Extras): Store & Extras => {
  const decode = <Event extends ReplayedEvent | RecordedEvent>(event: Event): Decoded<Event> => (codec.handles(event.type) ? codec.decode(event) : event);
  const decodeAll = async <Event extends ReplayedEvent | RecordedEvent>(events: readonly Event[]): Promise<Event[]> =>
    events.some((event) => codec.handles(event.type)) ? settled(events.map(decode)) : [...events];
  const decodePositioned = async <Item extends { readonly event: RecordedEvent }>(items: readonly Item[]): Promise<Item[]> => {
    if (!items.some((item) => codec.handles(item.event.type))) return [...items];
    return settled(
      items.map((item) => {
        const event = decode(item.event);
        return isPromise(event) ? event.then((ready) => ({ ...item, event: ready })) : { ...item, event };
      }),
    );
  };
  const overrides: Record<string, unknown> = {
    append: async (stream: string, events: readonly NewEvent[], expected?: ExpectedRevision, options?: AppendOptions) =>
      store.append(stream, events.some((event) => codec.handles(event.type)) ? await codec.encode(events) : events, expected, options),
    readStream: async (stream: string, options?: ReadStreamOptions) => decodeAll(await store.readStream(stream, options)),
    readAll: async (options?: ReadManyOptions) => decodePositioned(await store.readAll(options)),
    readCategory: async (category: string, options?: ReadManyOptions) => decodePositioned(await store.readCategory(category, options)),
    readEventType: async (type: string, options?: ReadManyOptions) => decodePositioned(await store.readEventType(type, options)),
    readEvent: async (eventId: string) => {
      const event = await store.readEvent(eventId);
      return event === undefined ? undefined : decode(event);
    },
    subscribe: (options: SubscribeOptions): Subscription => {
      const inner = store.subscribe(options);
      return {
        close: () => inner.close(),
        // A mapping iterator, not an async generator around the inner one: no extra promises and turns per event.
        [Symbol.asyncIterator]: () => {
          const events = inner[Symbol.asyncIterator]();
          const decoded = (result: IteratorResult<PositionedEvent>): IteratorResult<PositionedEvent> | Promise<IteratorResult<PositionedEvent>> => {
            if (result.done === true || !codec.handles(result.value.event.type)) return result;
            const positioned = result.value;
            const event = codec.decode(positioned.event);
            return isPromise(event) ? event.then((ready) => ({ done: false, value: { ...positioned, event: ready } })) : { done: false, value: { ...positioned, event } };
          };
          return {
            next: () => events.next().then(decoded),
            return: () => events.return?.() ?? Promise.resolve({ done: true, value: undefined }),
          };
        },
      };
    },
    ...extras,
    close: async () => {
      await store.close();
      await codec.close?.();
    },
  };
  if (store.replayCategory !== undefined) {
    const replay = store.replayCategory.bind(store);
    overrides.replayCategory = async (category: string, options?: ReadManyOptions) => {
      const page = await replay(category, options);
      return { ...page, events: await decodeAll(page.events) };
    };
  }
  const host = store as Partial<ConsumerGroupHost>;
  if (host.consumerGroups !== undefined) {
    const groups = host.consumerGroups.bind(store);
    overrides.consumerGroups = (handlers: readonly ProcessManager[], options?: Parameters<ConsumerGroupHost['consumerGroups']>[1]) =>
      groups(
        handlers.map((handler) => {
          const handle: ProcessManager['handle'] = async (event, context) => handler.handle(await decode(event), context);
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
        return { ...page, events: await decodeAll(page.events) };
      },
      byId: async (eventId: string) => {
        const event = await query.byId(eventId);
        return event === undefined ? undefined : decode(event);
      },
    } satisfies EventQuery;
  }
  return withOverrides(store, overrides) as Store & Extras;
};

const withOverrides = <Target extends object>(target: Target, overrides: Record<string, unknown>): Target =>
  new Proxy(target, {
    get(inner, property) {
      if (typeof property === 'string' && Object.hasOwn(overrides, property)) return overrides[property];
      const value: unknown = Reflect.get(inner, property, inner);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(inner) : value;
    },
  });
