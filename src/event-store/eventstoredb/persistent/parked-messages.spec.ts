import { StreamNotFoundError, type ResolvedEvent } from '@eventstore/db-client';
import { EventStoreUnavailable } from '../../errors';
import type { EsdbParkedClient } from '../client';
import { FakeReadable, linkTo, recorded } from '../testing/client-fakes';
import { ParkedMessages, parkedReason, parkedStream, parseLink } from './parked-messages';

describe('parked messages: the dead letters of the consumer-group mode', () => {
  it('names the group’s parked stream as the server does', () => {
    expect(parkedStream('$ce-Order', 'payments-on-orders')).toBe('$persistentsubscription-$ce-Order::payments-on-orders-parked');
  });

  it('parses link data, binary or text', () => {
    expect(parseLink(new Uint8Array(Buffer.from('12@$ce-Order')))).toEqual({ revision: 12n, stream: '$ce-Order' });
    expect(parseLink('3@Order-1-2')).toEqual({ revision: 3n, stream: 'Order-1-2' });
    expect(parseLink('nonsense')).toBeUndefined();
  });

  it('lists parked entries with the events they stand for, following a link to a $ce- link to the event', async () => {
    const event = recorded({ streamId: 'Order-1', revision: 3, position: 900, type: 'OrderPlaced' });
    const ceLink = linkTo('$ce-Order', 7, event);
    const parkedLink = linkTo(parkedStream('$ce-Order', 'pm'), 0, ceLink);
    const reads: Record<string, ResolvedEvent[]> = {
      [parkedStream('$ce-Order', 'pm')]: [{ link: parkedLink, event: ceLink }],
      'Order-1': [{ event }],
    };
    const client = {
      readStream: jest.fn((stream: string) => {
        const found = reads[stream];
        return found === undefined ? new FakeReadable([], new StreamNotFoundError(undefined, stream)) : new FakeReadable(found, 'end');
      }),
      replayParkedMessagesToStream: jest.fn(async () => undefined),
    };
    const parked = new ParkedMessages(client as unknown as EsdbParkedClient);
    const [entry] = await parked.list('$ce-Order', 'pm');
    expect(entry).toMatchObject({ parkedRevision: 0, event: { id: event.id, streamName: 'Order-1', revision: 3, position: 900n } });
    // Reading the parked stream with resolveLinkTos yields the $ce- link; its own target is read next.
    expect(client.readStream).toHaveBeenCalledWith('Order-1', { fromRevision: 3n, maxCount: 1, resolveLinkTos: true });
    await expect(parked.list('$ce-Order', 'nobody')).resolves.toEqual([]);
    await parked.replay('$ce-Order', 'pm');
    expect(client.replayParkedMessagesToStream).toHaveBeenCalledWith('$ce-Order', 'pm', {});
    await parked.replay('$ce-Order', 'pm', 3);
    expect(client.replayParkedMessagesToStream).toHaveBeenCalledWith('$ce-Order', 'pm', { stopAt: 3n });
  });

  it('follows the server’s link to the resolved event, and gives the nack’s reason without the server’s prefix', async () => {
    const event = recorded({ streamId: 'Order-2', revision: 0, position: 950, type: 'OrderConfirmed' });
    const parkedLink = {
      ...linkTo(parkedStream('$ce-Order', 'pm'), 4, event),
      metadata: { added: '2026-01-02T03:04:06Z', reason: "Client explicitly NAK'ed message.\ngateway down", subscriptionEventNumber: 12 },
    };
    const client = {
      readStream: jest.fn(() => new FakeReadable<ResolvedEvent>([{ link: parkedLink, event }], 'end')),
      replayParkedMessagesToStream: jest.fn(async () => undefined),
    };
    const [entry] = await new ParkedMessages(client as unknown as EsdbParkedClient).list('$ce-Order', 'pm');
    expect(entry).toMatchObject({ parkedRevision: 4, reason: 'gateway down', event: { id: event.id, streamName: 'Order-2' } });
    expect(client.readStream).toHaveBeenCalledTimes(1);
    expect(parkedReason({ reason: 'Reached retry count of 10' })).toBe('Reached retry count of 10');
    expect(parkedReason(undefined)).toBe('parked');
  });

  describe('a replay the server may ignore', () => {
    /** A parked stream of three entries on a server that truncates it before what it replays, or ignores the request while `busy`. */
    const serverWithParked = (busy: boolean) => {
      let truncateBefore = 0;
      const entries = [0, 1, 2].map((revision) => ({ link: linkTo(parkedStream('$ce-Order', 'pm'), revision, { streamId: '$ce-Order', revision: BigInt(revision) }) }));
      return {
        readStream: jest.fn((_stream: string, options: { fromRevision: bigint }) =>
          new FakeReadable(entries.filter(({ link }) => link.revision >= BigInt(truncateBefore) && link.revision >= options.fromRevision), 'end'),
        ),
        replayParkedMessagesToStream: jest.fn(async (_stream: string, _group: string, options: { stopAt?: bigint }) => {
          if (busy) return;
          setTimeout(() => (truncateBefore = Number(options.stopAt ?? 3n)), 5);
        }),
      };
    };
    const confirm = { timeoutMs: 200, pollMs: 5 };

    it('answers once the server has taken the entries asked for off the parked stream', async () => {
      const client = serverWithParked(false);
      await new ParkedMessages(client as unknown as EsdbParkedClient, confirm).replay('$ce-Order', 'pm', 2);
      expect(client.replayParkedMessagesToStream).toHaveBeenCalledWith('$ce-Order', 'pm', { stopAt: 2n });
    });

    it('fails with EventStoreUnavailable when the server answered OK and replayed nothing (another replay running, group not live)', async () => {
      const client = serverWithParked(true);
      await expect(new ParkedMessages(client as unknown as EsdbParkedClient, confirm).replay('$ce-Order', 'pm', 2)).rejects.toBeInstanceOf(EventStoreUnavailable);
    });
  });
});
