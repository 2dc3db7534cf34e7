/**
 * Which fields of an event type identify a person, and whose they are. Modules publish these beside
 * their event types (plain data, no code); the store layer encrypts those fields with a key per
 * subject and forgets them when the subject's key is destroyed (CONTRACT §7).
 */
export interface PersonalDataSpec {
  readonly eventType: string;
  /** The payload field holding the subject's id (the customer). */
  readonly subjectField: string;
  /** The payload fields that are personal data. */
  readonly fields: readonly string[];
}

/** Where an event's sealed personal fields travel in its stored payload. */
export const sealedField = 'personalData';

export interface SealedPersonalData {
  readonly subject: string;
  /** AES-256-GCM: base64 of iv (12 bytes) | tag (16 bytes) | ciphertext of the fields as JSON. */
  readonly sealed: string;
}
