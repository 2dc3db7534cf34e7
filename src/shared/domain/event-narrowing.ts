import type { DomainEvent } from './decider';

/**
 * Narrows a stored event to a category's event union by its type: the one place where stored data
 * is taken to be of its type's shape. Readers then switch on `type` and get each payload typed, so
 * renaming a payload field fails to compile in every reader.
 */
export const narrowing = <Event extends DomainEvent>(types: readonly Event['type'][]) => {
  const known: ReadonlySet<string> = new Set(types);
  return (stored: { readonly type: string; readonly data: unknown }): Event | undefined =>
    known.has(stored.type) ? ({ type: stored.type, data: stored.data } as Event) : undefined;
};
