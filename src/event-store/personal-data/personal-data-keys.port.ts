/** A subject's key, or the news that the subject's data was erased (its key destroyed). */
export type SubjectKey = { readonly key: Buffer; readonly erased: boolean } | { readonly key: undefined; readonly erased: boolean };

/**
 * The keys of the personal data, kept apart from the events: destroying a subject's key is what
 * erases its data from an append-only log (crypto-shredding).
 */
export interface PersonalDataKeys {
  /** The subject's current key, and whether its data was erased before (then older fields stay unreadable). */
  find(subject: string): Promise<SubjectKey>;
  /** The subject's key, made and stored durably first when it has none (also after an erasure: a new key). */
  obtain(subject: string): Promise<Buffer>;
  /** Destroys the subject's key for good and remembers that its data was erased. */
  destroy(subject: string): Promise<void>;
  close(): Promise<void>;
}
