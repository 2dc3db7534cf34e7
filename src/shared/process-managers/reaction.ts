import type { ReactionHandler } from '../../event-store/consumer-groups.port';

/**
 * A process manager's subscription: the events of one category, handled by a module that reacts to
 * another module's facts. `handle` must be idempotent: it may see an event again after a crash.
 * It runs on a catch-up subscription with a checkpoint of its own (`ReactionRunner`), or as a member
 * of the store's consumer group of the same name where the store has them; its fields are the
 * consumer groups' `ReactionHandler`, so that one reaction fits both.
 */
export type Reaction = ReactionHandler;
