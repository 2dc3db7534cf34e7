/**
 * Child process of the crash test: appends to one stream as fast as it can, several appends in
 * flight at once, and prints the id of every append the store acknowledged, until it is killed.
 */
import { v7 as uuid } from 'uuid';
import { loadConfig } from '../../shared/config';
import { createEventStore } from '../create-event-store';

const stream = process.argv[2]!;

const main = async () => {
  const store = await createEventStore(loadConfig());
  const writer = async () => {
    for (;;) {
      const id = uuid();
      await store.append(stream, [{ id, type: 'Crashed', data: { at: Date.now() } }], 'any');
      process.stdout.write(`${id}\n`);
    }
  };
  process.stdout.write('ready\n');
  await Promise.all(Array.from({ length: 4 }, writer));
};

void main();
