import type { Logger } from 'pino';
import type { EventStore } from '../../event-store/event-store.port';
import type { ProcessManager } from '../../event-store/consumer-groups.port';

/**
 * Before the process managers start: one whose checkpoint is past the head of its category (a store
 * restored from an older backup, or a power cut that lost the store's last commits but not the
 * checkpoint) would skip the positions the store hands out again. Its checkpoint is set back to the
 * head, so it takes up every event appended from now on; what it handled past the head is gone with
 * the events that caused it. Answers the names reset.
 */
export const resetCheckpointsAhead = async (
  store: EventStore,
  processManagers: readonly Pick<ProcessManager, 'name' | 'category'>[],
  logger: Pick<Logger, 'warn'>,
): Promise<string[]> => {
  const reset: string[] = [];
  for (const { name, category } of processManagers) {
    const checkpoint = await store.checkpoints.load(name);
    if (checkpoint === undefined) continue;
    const head = await store.headCheckpoint({ kind: 'category', category });
    if (checkpoint <= head) continue;
    await store.checkpoints.save(name, head);
    logger.warn({ processManager: name, checkpoint: checkpoint.toString(), head: head.toString() }, 'process manager checkpoint was ahead of the store; set back to its head');
    reset.push(name);
  }
  return reset;
};
