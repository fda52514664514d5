// SPDX-License-Identifier: Apache-2.0
/**
 * AES-GCM value transformer, as upstream's
 * staging/src/k8s.io/apiserver/pkg/storage/value/encrypt/aes: a stored
 * value is `k8s:enc:aesgcm:v1:<key name>:` followed by a random 12-byte
 * nonce, the ciphertext and the 16-byte tag, sealed with the storage key as
 * additional authenticated data (so a value copied to another key fails to
 * open). The first key encrypts; every key decrypts, which is what makes
 * rotation safe. One difference: the Store holds text, so the binary part
 * after the prefix is base64 (upstream writes raw bytes into etcd).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AESGCM_PREFIX starts every encrypted value; the key name and a colon follow. */
export const AESGCM_PREFIX = 'k8s:enc:aesgcm:v1:';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** EncryptionKey is one named 16-, 24- or 32-byte AES key. */
export interface EncryptionKey {
  name: string;
  secret: Buffer;
}

/** DecryptionError says a value could not be opened: unknown key, tampering, or the wrong storage key. */
export class DecryptionError extends Error {
  readonly code = 'ERR_ENCRYPTION_DECRYPT';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** isEncrypted says a stored value carries the AES-GCM prefix. */
export function isEncrypted(value: string): boolean {
  return value.startsWith(AESGCM_PREFIX);
}

/** AesGcmTransformer seals with the first key and opens with any key by name. */
export class AesGcmTransformer {
  readonly #primary: EncryptionKey;
  readonly #byName: Map<string, EncryptionKey>;

  constructor(keys: readonly EncryptionKey[]) {
    if (keys.length === 0) throw new Error('aesgcm: at least one key is required');
    for (const k of keys) {
      if (![16, 24, 32].includes(k.secret.length)) throw new Error(`aesgcm: key "${k.name}" is ${k.secret.length} bytes; AES needs 16, 24 or 32`);
      if (!/^[A-Za-z0-9_.-]+$/.test(k.name)) throw new Error(`aesgcm: key name "${k.name}" may hold only letters, digits, '-', '_' and '.'`);
    }
    this.#primary = keys[0];
    this.#byName = new Map(keys.map((k) => [k.name, k]));
  }

  /** primaryKeyName is the name of the key new values are sealed with. */
  get primaryKeyName(): string {
    return this.#primary.name;
  }

  /** seal encrypts plaintext for a storage key. */
  seal(storageKey: string, plaintext: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(algorithm(this.#primary.secret), this.#primary.secret, nonce);
    cipher.setAAD(Buffer.from(storageKey));
    const body = Buffer.concat([nonce, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${AESGCM_PREFIX}${this.#primary.name}:${body.toString('base64')}`;
  }

  /** open decrypts a sealed value; it also reports whether the value was sealed with a key other than the primary (stale). */
  open(storageKey: string, sealed: string): { plaintext: string; stale: boolean } {
    const rest = sealed.slice(AESGCM_PREFIX.length);
    const colon = rest.indexOf(':');
    const name = rest.slice(0, colon);
    const key = colon > 0 ? this.#byName.get(name) : undefined;
    if (!key) throw new DecryptionError(`no key named "${name}" to decrypt ${storageKey}`);
    const body = Buffer.from(rest.slice(colon + 1), 'base64');
    if (body.length < NONCE_BYTES + TAG_BYTES) throw new DecryptionError(`encrypted value of ${storageKey} is too short`);
    try {
      const decipher = createDecipheriv(algorithm(key.secret), key.secret, body.subarray(0, NONCE_BYTES));
      decipher.setAAD(Buffer.from(storageKey));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      const plaintext = Buffer.concat([decipher.update(body.subarray(NONCE_BYTES, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      return { plaintext, stale: key !== this.#primary };
    } catch (err) {
      throw new DecryptionError(`failed to decrypt ${storageKey} with key "${name}"`, { cause: err });
    }
  }
}

function algorithm(secret: Buffer): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  return secret.length === 16 ? 'aes-128-gcm' : secret.length === 24 ? 'aes-192-gcm' : 'aes-256-gcm';
}
