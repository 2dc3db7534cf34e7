import type { EventCodec } from '../coded-event-store';
import type { EventMetadata, NewEvent, RecordedEvent, ReplayedEvent } from '../event-store.port';

type Payload = Record<string, unknown>;

const isPayload = (data: unknown): data is Payload => typeof data === 'object' && data !== null && !Array.isArray(data);

/** One step of an event type's history: the data of version `from`, as version `from + 1` has it. Pure. */
export interface Upcaster {
  readonly eventType: string;
  readonly from: number;
  readonly upcast: (data: Payload) => Payload;
}

/** `metadata.storedSchemaVersion`: the version an event was written with, when it was upcast on its way out. */
export const storedVersionOf = (metadata: EventMetadata): number => {
  const stored = metadata.storedSchemaVersion ?? metadata.schemaVersion;
  return typeof stored === 'number' ? stored : 1;
};

/**
 * Event schema versions (CONTRACT §7): each event type's newest version is one more than its
 * upcasters. Appends are stamped with it; on every way out an event written with an older one is
 * upcast, step by step, to the newest shape, so no reader sees an old one; the log never changes.
 */
export class EventVersions implements EventCodec {
  private readonly chains = new Map<string, readonly Upcaster[]>();

  constructor(upcasters: readonly Upcaster[]) {
    for (const type of new Set(upcasters.map((upcaster) => upcaster.eventType))) {
      const chain = upcasters.filter((upcaster) => upcaster.eventType === type).sort((a, b) => a.from - b.from);
      chain.forEach((upcaster, index) => {
        if (upcaster.from !== index + 1) throw new Error(`the upcasters of ${type} must run from version 1 without a gap (found ${upcaster.from} at step ${index + 1})`);
      });
      this.chains.set(type, chain);
    }
  }

  /** The newest version of a type (1 for a type never changed). */
  current(type: string): number {
    return (this.chains.get(type)?.length ?? 0) + 1;
  }

  /** Every type with more than one version, and its newest. */
  versions(): ReadonlyMap<string, number> {
    return new Map([...this.chains.keys()].map((type) => [type, this.current(type)]));
  }

  handles(type: string): boolean {
    return this.chains.has(type);
  }

  async encode(events: readonly NewEvent[]): Promise<readonly NewEvent[]> {
    if (!events.some((event) => this.chains.has(event.type))) return events;
    return events.map((event) => (this.chains.has(event.type) ? { ...event, metadata: { ...event.metadata, schemaVersion: this.current(event.type) } } : event));
  }

  decode<Event extends ReplayedEvent | RecordedEvent>(event: Event): Event {
    const chain = this.chains.get(event.type);
    if (chain === undefined) return event;
    const stored = 'metadata' in event ? storedVersionOf(event.metadata) : (event.schemaVersion ?? 1);
    const current = chain.length + 1;
    if (stored >= current || !isPayload(event.data)) return event;
    let data = event.data;
    for (let step = stored - 1; step < chain.length; step++) data = chain[step]!.upcast(data);
    if (!('metadata' in event)) return { ...event, data, schemaVersion: current };
    // Object.assign, not a spread with keys added: on Node 20 the spread costs about ten times as much per event.
    const metadata: EventMetadata = Object.assign({}, event.metadata, { schemaVersion: current, storedSchemaVersion: stored });
    return { ...event, data, metadata };
  }
}
