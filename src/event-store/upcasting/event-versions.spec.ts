import type { RecordedEvent, ReplayedEvent } from '../event-store.port';
import { EventVersions, storedVersionOf } from './event-versions';

const renamed = { eventType: 'Moved', from: 1, upcast: ({ where, ...rest }: Record<string, unknown>) => ({ ...rest, to: where }) };
const split = { eventType: 'Moved', from: 2, upcast: ({ to, ...rest }: Record<string, unknown>) => ({ ...rest, to: { city: to } }) };

const recorded = (data: unknown, schemaVersion?: number): RecordedEvent => ({
  id: 'e-1',
  type: 'Moved',
  streamName: 'Thing-1',
  revision: 0,
  position: 1n,
  data,
  metadata: schemaVersion === undefined ? { correlationId: 'c' } : { correlationId: 'c', schemaVersion },
  createdAt: new Date(0),
});

describe('event versions: upcasting on every way out (CONTRACT §7)', () => {
  const versions = new EventVersions([split, renamed]);

  it('knows each type newest version, and stamps appends with it (other types untouched)', async () => {
    expect(versions.current('Moved')).toBe(3);
    expect(versions.current('Other')).toBe(1);
    const [moved, other] = await versions.encode([
      { id: 'a', type: 'Moved', data: { to: { city: 'Oslo' } }, metadata: { schemaVersion: 1 } },
      { id: 'b', type: 'Other', data: {}, metadata: { schemaVersion: 1 } },
    ]);
    expect(moved!.metadata).toEqual({ schemaVersion: 3 });
    expect(other!.metadata).toEqual({ schemaVersion: 1 });
  });

  it('upcasts an old event step by step to the newest shape, and says which version it was written with', async () => {
    const fromV1 = await versions.decode(recorded({ n: 1, where: 'Oslo' }));
    expect(fromV1.data).toEqual({ n: 1, to: { city: 'Oslo' } });
    expect(fromV1.metadata).toEqual({ correlationId: 'c', schemaVersion: 3, storedSchemaVersion: 1 });
    expect(storedVersionOf(fromV1.metadata)).toBe(1);
    const fromV2 = await versions.decode(recorded({ n: 1, to: 'Oslo' }, 2));
    expect(fromV2.data).toEqual({ n: 1, to: { city: 'Oslo' } });
    const current = recorded({ n: 1, to: { city: 'Oslo' } }, 3);
    expect(await versions.decode(current)).toBe(current);
    expect(storedVersionOf(current.metadata)).toBe(3);
  });

  it('upcasts a replayed event (no metadata) by the version the replay read with it', async () => {
    const replayed: ReplayedEvent = { type: 'Moved', streamName: 'Thing-1', position: 1n, data: { where: 'Oslo' }, createdAt: new Date(0) };
    expect(await versions.decode(replayed)).toEqual({ ...replayed, data: { to: { city: 'Oslo' } }, schemaVersion: 3 });
    expect((await versions.decode({ ...replayed, data: { to: 'Oslo' }, schemaVersion: 2 })).data).toEqual({ to: { city: 'Oslo' } });
  });

  it('refuses a chain with a gap', () => {
    expect(() => new EventVersions([split])).toThrow(/from version 1 without a gap/);
  });
});
