import { deterministicId, keyedId, newEventId } from './event-ids';

describe('deterministicId', () => {
  // Ids already in stores were made by these inputs: a change of the derivation would make a
  // redelivered event append its effect again under new ids. These values pin it.
  it.each([
    ['0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', 'payment', '0190a1b2-c3d4-860e-be09-766e16f19f51'],
    ['0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B', 'Order-1#0', '0190a1b2-c3d4-8bde-8d2b-4fdb38c145b5'],
    ['3b241101-e2bb-4255-8caf-4136c566a962', 'shipment', 'e95ab0e6-4b97-86fc-a3f8-e4da3f0df1d1'],
    // Orders placed with an Idempotency-Key before keyed ids: anyone could compute this one from the key.
    ['idempotency-key:abc', 'order', '69cc96cc-82fb-815c-9a56-c1ae53e21e33'],
  ])('derives the same id from (%s, %s) as every earlier version', (cause, key, id) => {
    expect(deterministicId(cause, key)).toBe(id);
  });

  it('keeps, since the soak benchmark showed random ids slowing the store down as it grows, the time of a v8 cause too', () => {
    // Before, a v8 cause gave hash bits here ('bad86319-34f4-…'): an effect of an effect was placed at random in the id index.
    expect(deterministicId('0190a1b2-c3d4-860e-be09-766e16f19f51', 'Order-1#0')).toBe('0190a1b2-c3d4-8e45-b603-f7c3c4969cdd');
    const chain = [newEventId()];
    for (let n = 0; n < 5; n++) chain.push(deterministicId(chain[n]!, `Stream-${n}#0`));
    for (const id of chain) expect(id.slice(0, 13)).toBe(chain[0]!.slice(0, 13));
  });

  it('is a uuid v8 that keeps the time of a v7 cause in its first 48 bits', () => {
    const cause = newEventId();
    const id = deterministicId(cause, 'effect');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(id.slice(0, 13)).toBe(cause.slice(0, 13));
  });

  it('gives different ids to different keys of one cause', () => {
    const cause = newEventId();
    expect(deterministicId(cause, 'a')).not.toBe(deterministicId(cause, 'b'));
  });
});

describe('keyedId', () => {
  const secret = Buffer.alloc(32, 1);

  // Order ids of placed orders derive from these: a change would make a retried request place a second order.
  it.each([
    [secret, 'idempotency-key\u00000\u0000abc', '56663783-7917-8c42-b78d-bb27ba9d9ae0'],
    [secret, 'idempotency-key\u00001\u0000abc', '35d118a4-7f87-82ac-8154-a14d128bf5b6'],
    [Buffer.alloc(32, 2), 'idempotency-key\u00000\u0000abc', '8345b520-0265-8c69-a18c-03e5401321dd'],
  ])('derives the same id from (secret, %j) as every earlier version', (key, input, id) => {
    expect(keyedId(key, input)).toBe(id);
  });

  it('cannot be derived without the secret: the bare hash of the input, or another installation’s secret, gives another id', () => {
    const input = 'idempotency-key\u00000\u0000abc';
    const id = keyedId(secret, input);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(id).not.toBe(deterministicId(input, 'order'));
    expect(keyedId(Buffer.alloc(32, 2), input)).not.toBe(id);
    expect(keyedId(secret, `${input}d`)).not.toBe(id);
  });
});

describe('newEventId', () => {
  it('is a uuid v7 with the time of its making in its first 48 bits, and a new one each time, past any pool refill', () => {
    const before = Date.now();
    const ids = Array.from({ length: 1000 }, () => newEventId());
    const after = Date.now();
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const ms = Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
      expect(ms).toBeGreaterThanOrEqual(before);
      expect(ms).toBeLessThanOrEqual(after);
    }
  });
});
