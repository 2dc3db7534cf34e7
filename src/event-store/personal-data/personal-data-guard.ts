import { LruCache } from '../../shared/application/lru-cache';
import type { EventCodec } from '../coded-event-store';
import type { EventMetadata, NewEvent, RecordedEvent, ReplayedEvent } from '../event-store.port';
import { seal, unseal } from './personal-data-cipher';
import type { PersonalDataKeys, SubjectKey } from './personal-data-keys.port';
import { type PersonalDataSpec, type SealedPersonalData, sealedField } from './personal-data-spec';

type Payload = Record<string, unknown>;

const isPayload = (data: unknown): data is Payload => typeof data === 'object' && data !== null && !Array.isArray(data);

const isSealed = (value: unknown): value is SealedPersonalData =>
  isPayload(value) && typeof value.subject === 'string' && typeof value.sealed === 'string';

/**
 * Seals the personal fields of an event on its way into the store and opens them on every way out,
 * so that no module ever sees a sealed payload. A field whose key is destroyed reads as `null`, and
 * the event's metadata says `personalDataErased: true`. Events written before sealing existed
 * (fields in the clear) read the same way once their subject is erased, though their bytes stay in
 * the log. Keys are cached (bounded), and a destroy here drops the cached key first.
 */
export class PersonalDataGuard implements EventCodec {
  private readonly specs: ReadonlyMap<string, PersonalDataSpec>;
  private readonly cache = new LruCache<SubjectKey>(10_000);
  /**
   * Payloads already opened, whole, by their sealed text (unique to each event): an order's
   * OrderPlaced is read by every subscriber of its category on its way through the saga, and opening
   * it costs about 10 µs. Sealing puts the payload it sealed here too, so the first read opens
   * nothing. Bounded; emptied on every erasure.
   */
  private readonly opened = new LruCache<Payload>(10_000);

  constructor(
    private readonly keys: PersonalDataKeys,
    specs: readonly PersonalDataSpec[],
  ) {
    this.specs = new Map(specs.map((spec) => [spec.eventType, spec]));
  }

  /** Seals the personal fields of the events that have some. */
  async encode(events: readonly NewEvent[]): Promise<readonly NewEvent[]> {
    if (!events.some((event) => this.specs.has(event.type))) return events;
    // The keys first (a read, or a new key, only for a customer not cached), then every event at once.
    const personal = events.map((event) => this.personalOf(event));
    const keys = new Map<string, Buffer>();
    for (const found of personal) {
      if (found !== undefined && !keys.has(found.subject)) keys.set(found.subject, await this.keyToSeal(found.subject));
    }
    return events.map((event, index) => {
      const found = personal[index];
      if (found === undefined) return event;
      const { stored, sealedText } = sealedPayload(found, keys.get(found.subject)!);
      this.opened.set(sealedText, found.data);
      return { ...event, data: stored };
    });
  }

  /**
   * Opens the personal fields, or reads them as null once erased: at once when the subject's key is
   * cached (nearly always), a promise only when it must be looked up.
   */
  decode<Event extends ReplayedEvent | RecordedEvent>(event: Event): Event | Promise<Event> {
    const spec = this.specs.get(event.type);
    if (spec === undefined || !isPayload(event.data)) return event;
    const sealed = event.data[sealedField];
    if (isSealed(sealed)) {
      const opened = this.opened.get(sealed.sealed);
      if (opened !== undefined) return { ...event, data: opened };
    }
    const subject = isSealed(sealed) ? sealed.subject : event.data[spec.subjectField];
    if (typeof subject !== 'string') return event;
    const known = this.cache.get(subject);
    return known === undefined ? this.keyOf(subject).then((found) => this.reveal(event, spec, found)) : this.reveal(event, spec, known);
  }

  handles(type: string): boolean {
    return this.specs.has(type);
  }

  async destroy(subject: string): Promise<void> {
    this.cache.delete(subject);
    this.opened.clear();
    await this.keys.destroy(subject);
    // Again: a read while the key was being destroyed may have cached it, or fields it opened.
    this.cache.delete(subject);
    this.opened.clear();
  }

  close(): Promise<void> {
    return this.keys.close();
  }

  /** What of this event is personal, and whose; undefined for an event with no personal data. */
  private personalOf(event: NewEvent): Personal | undefined {
    const spec = this.specs.get(event.type);
    const { data } = event;
    if (spec === undefined || !isPayload(data)) return undefined;
    const subject = data[spec.subjectField];
    if (typeof subject !== 'string') throw new Error(`${event.type} has no ${spec.subjectField} to key its personal data by`);
    return { spec, data, subject };
  }

  private async keyToSeal(subject: string): Promise<Buffer> {
    const known = this.cache.get(subject);
    if (known?.key !== undefined) return known.key;
    const key = await this.keys.obtain(subject);
    this.cache.set(subject, { key, erased: known?.erased ?? false });
    return key;
  }

  private reveal<Event extends ReplayedEvent | RecordedEvent>(event: Event, spec: PersonalDataSpec, known: SubjectKey): Event {
    const { [sealedField]: sealed, ...data } = event.data as Payload;
    if (!isSealed(sealed)) return known.erased ? erased(event, data, spec) : event;
    const fields = known.key === undefined ? undefined : unseal(known.key, sealed.sealed);
    if (!isPayload(fields)) return erased(event, data, spec);
    const opened = { ...data, ...fields };
    this.opened.set(sealed.sealed, opened);
    return { ...event, data: opened };
  }

  private async keyOf(subject: string): Promise<SubjectKey> {
    const cached = this.cache.get(subject);
    if (cached !== undefined) return cached;
    const found = await this.keys.find(subject);
    this.cache.set(subject, found);
    return found;
  }
}

interface Personal {
  readonly spec: PersonalDataSpec;
  readonly data: Payload;
  readonly subject: string;
}

/** The payload as stored: each personal field null, all of them sealed together under `personalData`; and the sealed text. */
const sealedPayload = ({ spec, data, subject }: Personal, key: Buffer): { readonly stored: Payload; readonly sealedText: string } => {
  const fields: Payload = {};
  const stored: Payload = { ...data };
  for (const field of spec.fields) {
    fields[field] = data[field] ?? null;
    stored[field] = null;
  }
  const sealedText = seal(key, fields);
  stored[sealedField] = { subject, sealed: sealedText } satisfies SealedPersonalData;
  return { stored, sealedText };
};

const erased = <Event extends ReplayedEvent | RecordedEvent>(event: Event, data: Payload, spec: PersonalDataSpec): Event => {
  const cleared = { ...data, ...Object.fromEntries(spec.fields.map((field) => [field, null])) };
  if (!('metadata' in event)) return { ...event, data: cleared };
  const metadata: EventMetadata = { ...event.metadata, personalDataErased: true };
  return { ...event, data: cleared, metadata };
};
