// SPDX-License-Identifier: Apache-2.0
/**
 * The key file `<dataDir>/encryption/keys.json`, written in the shape of
 * upstream's EncryptionConfiguration (apiserver.config.k8s.io/v1; JSON is
 * YAML, so `--encryption-provider-config` readers understand it): secrets
 * use aesgcm with the listed keys (first one encrypts), then identity so
 * values written before encryption was on still read. Generated with one
 * random 32-byte key on first start; rotation puts a new key first.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EncryptionKey } from './aes-gcm-transformer.js';

/** EncryptionConfiguration is the subset of upstream's file Skiff reads and writes. */
export interface EncryptionConfiguration {
  kind: 'EncryptionConfiguration';
  apiVersion: 'apiserver.config.k8s.io/v1';
  resources: { resources: string[]; providers: ({ aesgcm: { keys: { name: string; secret: string }[] } } | { identity: Record<string, never> })[] }[];
}

/** encryptionKeysPath is where a server keeps its keys. */
export function encryptionKeysPath(dataDir: string): string {
  return join(dataDir, 'encryption', 'keys.json');
}

function configFor(keys: readonly EncryptionKey[]): EncryptionConfiguration {
  return {
    kind: 'EncryptionConfiguration',
    apiVersion: 'apiserver.config.k8s.io/v1',
    resources: [{ resources: ['secrets'], providers: [{ aesgcm: { keys: keys.map((k) => ({ name: k.name, secret: k.secret.toString('base64') })) } }, { identity: {} }] }],
  };
}

/** readKeys parses a key file (the aesgcm keys of the `secrets` entry, in order). */
export function readKeys(path: string): EncryptionKey[] {
  const cfg = JSON.parse(readFileSync(path, 'utf8')) as EncryptionConfiguration;
  for (const r of cfg.resources ?? []) {
    if (!r.resources.includes('secrets')) continue;
    for (const p of r.providers) if ('aesgcm' in p) return p.aesgcm.keys.map((k) => ({ name: k.name, secret: Buffer.from(k.secret, 'base64') }));
  }
  throw new Error(`${path}: no aesgcm keys for secrets`);
}

function writeKeys(path: string, keys: readonly EncryptionKey[]): void {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(configFor(keys), null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

function newKey(existing: readonly EncryptionKey[]): EncryptionKey {
  let n = existing.length + 1;
  while (existing.some((k) => k.name === `key${n}`)) n++;
  return { name: `key${n}`, secret: randomBytes(32) };
}

/** loadOrCreateKeys reads the server's keys, generating the file with one key on first start. */
export function loadOrCreateKeys(dataDir: string): EncryptionKey[] {
  const path = encryptionKeysPath(dataDir);
  if (existsSync(path)) return readKeys(path);
  const keys = [newKey([])];
  writeKeys(path, keys);
  return keys;
}

/** rotateEncryptionKey adds a new primary key (old ones keep decrypting) and returns its name; the server picks it up on restart. */
export function rotateEncryptionKey(dataDir: string): string {
  const keys = loadOrCreateKeys(dataDir);
  const key = newKey(keys);
  writeKeys(encryptionKeysPath(dataDir), [key, ...keys]);
  return key.name;
}
