import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const algorithm = 'aes-256-gcm';

export const newPersonalDataKey = (): Buffer => randomBytes(32);

/** Authenticated encryption of a JSON value: base64 of iv | tag | ciphertext. */
export const seal = (key: Buffer, value: unknown): string => {
  const iv = randomBytes(12);
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
