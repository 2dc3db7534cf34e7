import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import type { RecordedEvent } from '../event-store.port';
import { PersonalDataGuard } from './personal-data-guard';
import type { PersonalDataKeys } from './personal-data-keys.port';
import { SecretStorePersonalDataKeys } from './secret-store-personal-data-keys';
import { SqlitePersonalDataKeys } from './sqlite-personal-data-keys';

const spec = { eventType: 'OrderPlaced', subjectField: 'customerId', fields: ['shippingAddress'] } as const;
const address = { street: '1 Elm St', city: 'Salem', state: 'MA', zip: '01970', country: 'US' };
const placed = { orderId: 'o-1', customerId: 'cust_1', total: 12, shippingAddress: address };

const recordedOf = (data: unknown): RecordedEvent => ({
  id: 'e-1',
  type: 'OrderPlaced',
  streamName: 'Order-o-1',
  revision: 0,
  position: 1n,
  data,
  metadata: { correlationId: 'o-1' },
  createdAt: new Date(0),
});

describe.each<[string, () => PersonalDataKeys]>([
  ['its own SQLite file (the embedded store)', () => new SqlitePersonalDataKeys(':memory:')],
  ['the secret store (EventStoreDB)', () => new SecretStorePersonalDataKeys(SqliteEventStore.open({ filename: ':memory:' }).secrets)],
])('personal data sealed with a key per customer, kept in %s', (_where, keysOf) => {
  it('seals the fields on append (nothing of them in the clear) and opens them on read', async () => {
    const guard = new PersonalDataGuard(keysOf(), [spec]);
    const [sealed] = await guard.encode([{ id: 'e-1', type: 'OrderPlaced', data: placed }]);
    const stored = JSON.stringify(sealed!.data);
    expect(stored).not.toContain('Elm');
    expect(sealed!.data).toMatchObject({ orderId: 'o-1', customerId: 'cust_1', total: 12, shippingAddress: null });
    const revealed = await guard.decode(recordedOf(sealed!.data));
    expect(revealed.data).toEqual(placed);
    expect(revealed.metadata.personalDataErased).toBeUndefined();
  });

  it('reads what it sealed at once, with no promise; another process (a fresh guard) waits for the key once, then reads at once too', async () => {
    const keys = keysOf();
    const guard = new PersonalDataGuard(keys, [spec]);
    const [sealed] = await guard.encode([{ id: 'e-1', type: 'OrderPlaced', data: placed }]);
    const read = guard.decode(recordedOf(sealed!.data));
    expect(read).not.toBeInstanceOf(Promise);
    expect((read as RecordedEvent).data).toEqual(placed);
    const other = new PersonalDataGuard(keys, [spec]);
    const first = other.decode(recordedOf(sealed!.data));
    expect(first).toBeInstanceOf(Promise);
    expect((await first).data).toEqual(placed);
    const again = other.decode(recordedOf(sealed!.data));
    expect(again).not.toBeInstanceOf(Promise);
    expect((again as RecordedEvent).data).toEqual(placed);
  });

  it('reads the fields as null, flagged, once the key is destroyed, from a fresh guard too; the rest of the payload stays', async () => {
    const keys = keysOf();
    const guard = new PersonalDataGuard(keys, [spec]);
    const [sealed] = await guard.encode([{ id: 'e-1', type: 'OrderPlaced', data: placed }]);
    await guard.destroy('cust_1');
    for (const reader of [guard, new PersonalDataGuard(keys, [spec])]) {
      const revealed = await reader.decode(recordedOf(sealed!.data));
      expect(revealed.data).toEqual({ ...placed, shippingAddress: null });
      expect(revealed.metadata).toEqual({ correlationId: 'o-1', personalDataErased: true });
    }
    // A replayed event has no metadata: its fields are null all the same.
    expect((await guard.decode({ type: 'OrderPlaced', streamName: 'Order-o-1', position: 1n, data: sealed!.data, createdAt: new Date(0) })).data).toEqual({
      ...placed,
      shippingAddress: null,
    });
  });

  it('gives the customer a new key for orders placed after an erasure, while the older ones stay unreadable', async () => {
    const guard = new PersonalDataGuard(keysOf(), [spec]);
    const [before] = await guard.encode([{ id: 'e-1', type: 'OrderPlaced', data: placed }]);
    await guard.destroy('cust_1');
    const [after] = await guard.encode([{ id: 'e-2', type: 'OrderPlaced', data: placed }]);
    expect((await guard.decode(recordedOf(after!.data))).data).toEqual(placed);
    expect((await guard.decode(recordedOf(before!.data))).data).toEqual({ ...placed, shippingAddress: null });
  });

  it('nulls the fields of events written in the clear before sealing existed, once their customer is erased', async () => {
    const guard = new PersonalDataGuard(keysOf(), [spec]);
    expect((await guard.decode(recordedOf(placed))).data).toEqual(placed);
    await guard.destroy('cust_1');
    const revealed = await guard.decode(recordedOf(placed));
    expect(revealed.data).toEqual({ ...placed, shippingAddress: null });
    expect(revealed.metadata.personalDataErased).toBe(true);
  });

  it('leaves other event types and other customers alone', async () => {
    const guard = new PersonalDataGuard(keysOf(), [spec]);
    const other = { id: 'e-3', type: 'OrderShipped', data: { orderId: 'o-1', customerId: 'cust_1' } };
    expect(await guard.encode([other])).toEqual([other]);
    const [kept] = await guard.encode([{ id: 'e-4', type: 'OrderPlaced', data: { ...placed, customerId: 'cust_2' } }]);
    await guard.destroy('cust_1');
    expect((await guard.decode(recordedOf(kept!.data))).data).toEqual({ ...placed, customerId: 'cust_2' });
  });
});
