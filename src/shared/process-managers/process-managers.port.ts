/**
 * What the composition root, `/ready` and the admin routes need of the process managers, whichever
 * way they run: on catch-up subscriptions with checkpoints and a dead-letter table of this process
 * (`ProcessManagerSupervisor`, the embedded store), or as members of the store's consumer groups with the
 * groups' parked events as dead letters (`ConsumerGroupSupervisor`, EventStoreDB).
 */
export interface ProcessManagerRuntime {
  start(): Promise<void>;
  /** Stops taking events; the ones in hand finish and are recorded as done. */
  stop(): Promise<void>;
  /** For `/ready`: rejects, saying why, while the process managers cannot take their share of the events. */
  assertReady(): Promise<void>;
  status(): Promise<ProcessManagerStatus[]>;
  /** A page of dead letters, oldest first, after the cursor of the previous page (`next`: null on the last). */
  listDeadLetters(page: DeadLetterPage): Promise<{ readonly items: DeadLetterEntry[]; readonly next: string | null }>;
  /** Runs a dead letter's event through its handler again, or has the store deliver it again. */
  retry(id: string): Promise<RetryOutcome>;
}

export interface DeadLetterPage {
  /** The previous page's `next`. */
  readonly after?: string;
  readonly limit: number;
}

export interface ProcessManagerStatus {
  readonly name: string;
  /** A category checkpoint, as a decimal string. */
  readonly checkpoint: string;
  readonly lag: number;
  readonly retries: number;
  readonly deadLetters: number;
  /** Catch-up runners: retries after store errors that clear by themselves, and restarts of a failed subscription. */
  readonly transientRetries?: number;
  readonly restarts?: number;
}

/** A number on the embedded store; `<group>:<parked revision>` on EventStoreDB. */
export type DeadLetterId = number | string;

export interface DeadLetterEntry {
  readonly id: DeadLetterId;
  readonly subscription: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly streamName: string;
  readonly position: string;
  readonly error: string;
  /** How often the handler ran it, where that is known. */
  readonly attempts?: number;
  readonly failedAt: string;
}

export type RetryOutcome =
  | { readonly outcome: 'not_found' }
  /** Handled now, and removed from the dead letters. */
  | { readonly outcome: 'replayed'; readonly id: DeadLetterId }
  /** Failed again; the letter stays. */
  | { readonly outcome: 'failed'; readonly error: string }
  /** The store delivers it again, together with the older letters of its group (`ids`, itself included). */
  | { readonly outcome: 'replaying'; readonly id: DeadLetterId; readonly ids: readonly DeadLetterId[] };
