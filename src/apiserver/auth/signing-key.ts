// SPDX-License-Identifier: Apache-2.0
/**
 * The service account signing key: one ECDSA P-256 key (ES256) kept in
 * `<dataDir>/tls/service-account.key`, created on first start and reused
 * afterwards so tokens survive restarts (upstream's --service-account-key-file
 * / --service-account-signing-key-file pair, here one file).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../machinery/index.js';

/** SigningKey is the private key that signs tokens, its public half, and the key id put in JWT headers. */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** keyId is upstream's kid: unpadded base64url of the SHA-256 of the DER public key. */
  keyId: string;
}

/** serviceAccountKeyPath is where the signing key lives under a data dir. */
export function serviceAccountKeyPath(dataDir: string): string {
  return join(dataDir, 'tls', 'service-account.key');
}

/** loadOrCreateSigningKey reads the PEM key at `path`, generating and storing a new P-256 key when there is none. */
export function loadOrCreateSigningKey(path: string): SigningKey {
  let privateKey: KeyObject;
  if (existsSync(path)) {
    privateKey = createPrivateKey(readFileSync(path));
    const curve = privateKey.asymmetricKeyDetails?.namedCurve;
    if (privateKey.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
      throw new Error(`${path}: the service account key must be an EC P-256 key (got ${privateKey.asymmetricKeyType} ${curve ?? ''})`);
    }
  } else {
    privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileAtomic(path, privateKey.export({ type: 'sec1', format: 'pem' }) as string, 0o600);
  }
  return signingKeyFrom(privateKey);
}

/** signingKeyFrom derives the public key and key id of a private key. */
export function signingKeyFrom(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const keyId = createHash('sha256').update(der).digest('base64url');
  return { privateKey, publicKey, keyId };
}
