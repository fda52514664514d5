// SPDX-License-Identifier: Apache-2.0
/**
 * Encryption at rest: an AES-GCM Store decorator for Secrets, its key file
 * in the data dir, and key rotation. The server wraps its Store with
 * `encryptedStore(store, loadOrCreateKeys(dataDir))` before the apiserver
 * sees it.
 */
export { encryptedStore, SECRET_PREFIXES, type EncryptedStoreOptions } from './encrypted-store.js';
export { AesGcmTransformer, AESGCM_PREFIX, DecryptionError, isEncrypted, type EncryptionKey } from './aes-gcm-transformer.js';
export { encryptionKeysPath, loadOrCreateKeys, readKeys, rotateEncryptionKey, type EncryptionConfiguration } from './encryption-keys.js';
export { reencryptSecrets } from './reencrypt.js';
