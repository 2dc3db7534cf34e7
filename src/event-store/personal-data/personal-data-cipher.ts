import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const algorithm = 'aes-256-gcm';

export const newPersonalDataKey = (): Buffer => randomBytes(32);

/** Random IVs drawn 256 at a time: one call into the system's generator instead of one per seal. */
const ivPool = { bytes: Buffer.alloc(0), next: 0 };
const freshIv = (): Buffer => {
  if (ivPool.next + 12 > ivPool.bytes.length) {
    ivPool.bytes = randomBytes(12 * 256);
    ivPool.next = 0;
  }
  // A copy: each IV is used once, never handed out twice.
  return Buffer.from(ivPool.bytes.subarray(ivPool.next, (ivPool.next += 12)));
};

/** Authenticated encryption of a JSON value: base64 of iv | tag | ciphertext (a random 96-bit IV each time). */
export const seal = (key: Buffer, value: unknown): string => {
  const iv = freshIv();
  const cipher = createCipheriv(algorithm, key, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
};

/** The value sealed with this key; undefined when it was sealed with another (a destroyed one) or altered. */
export const unseal = (key: Buffer, sealed: string): unknown => {
  const bytes = Buffer.from(sealed, 'base64');
  try {
    const decipher = createDecipheriv(algorithm, key, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8'));
  } catch {
    return undefined;
  }
};
