/**
 * Waits until the named read model has applied every event its category held when asked (a reader
 * that must not miss a write it did not make itself); false past the timeout.
 */
export type CatchUp = (readModel: string) => Promise<boolean>;
