// SPDX-License-Identifier: Apache-2.0
/**
 * encryptedStore wraps a Store so that values under the encrypted prefixes
 * (Secrets: `/registry/secrets/`) are sealed on the way in and opened on
 * the way out, as upstream's transformer sits between the registry and
 * etcd. Everything above (registry, watch fan-out, serializers) sees
 * plaintext; the backend, its file and its history see only ciphertext.
 * Values without the prefix read as they are (the identity provider that
 * follows aesgcm upstream), so data written before encryption still works.
 */
import type { KeyValue, ListOptions, ListResult, Store, StoreEvent, WatchOptions } from '../../storage/index.js';
import { AesGcmTransformer, isEncrypted, type EncryptionKey } from './aes-gcm-transformer.js';

/** SECRET_PREFIXES are the key prefixes encrypted by default (upstream: the `secrets` resource). */
export const SECRET_PREFIXES = ['/registry/secrets/'];

/** EncryptedStoreOptions narrows what is encrypted. */
export interface EncryptedStoreOptions {
  prefixes?: readonly string[];
}

/** encryptedStore returns a Store that encrypts values under `prefixes` with the given keys (first one seals). */
export function encryptedStore(store: Store, keys: readonly EncryptionKey[], opts: EncryptedStoreOptions = {}): Store {
  return new EncryptedStore(store, new AesGcmTransformer(keys), opts.prefixes ?? SECRET_PREFIXES);
}

class EncryptedStore implements Store {
  readonly #inner: Store;
  readonly #t: AesGcmTransformer;
  readonly #prefixes: readonly string[];

  constructor(inner: Store, t: AesGcmTransformer, prefixes: readonly string[]) {
    this.#inner = inner;
    this.#t = t;
    this.#prefixes = prefixes;
  }

  #covers(key: string): boolean {
    return this.#prefixes.some((p) => key.startsWith(p));
  }

  #in(key: string, value: string): string {
    return this.#covers(key) ? this.#t.seal(key, value) : value;
  }

  #out<T extends KeyValue | undefined>(kv: T): T {
    if (!kv || !isEncrypted(kv.value) || !this.#covers(kv.key)) return kv;
    return { ...kv, value: this.#t.open(kv.key, kv.value).plaintext };
  }

  async get(key: string): Promise<KeyValue | undefined> {
    return this.#out(await this.#inner.get(key));
  }

  async list(opts: ListOptions): Promise<ListResult> {
    const r = await this.#inner.list(opts);
    return { ...r, items: r.items.map((kv) => this.#out(kv)) };
  }

  count(prefix: string): Promise<number> {
    return this.#inner.count(prefix);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    return { ...(await this.#inner.create(key, this.#in(key, value))), value };
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    return { ...(await this.#inner.update(key, this.#in(key, value), expectedRevision)), value };
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    return this.#out(await this.#inner.delete(key, expectedRevision));
  }

  /**
   * watch opens sealed values of the events it passes on. A watch whose
   * prefix neither holds nor lies under an encrypted prefix (ConfigMaps,
   * Pods, ...) can see no sealed value, so it is the backend's own stream:
   * no extra step per event for each of a write's watchers.
   */
  watch(opts: WatchOptions): AsyncIterable<StoreEvent> {
    if (!this.#prefixes.some((p) => p.startsWith(opts.prefix) || opts.prefix.startsWith(p))) return this.#inner.watch(opts);
    return this.#opened(opts);
  }

  async *#opened(opts: WatchOptions): AsyncIterable<StoreEvent> {
    for await (const ev of this.#inner.watch(opts)) {
      if (ev.type === 'progress') yield ev;
      else if (ev.type === 'put') yield { type: 'put', kv: this.#out(ev.kv), prev: this.#out(ev.prev) };
      else yield { type: 'delete', kv: this.#out(ev.kv), prev: this.#out(ev.prev) };
    }
  }

  currentRevision(): Promise<number> {
    return this.#inner.currentRevision();
  }

  compactedRevision(): Promise<number> {
    return this.#inner.compactedRevision();
  }

  compact(revision: number): Promise<void> {
    return this.#inner.compact(revision);
  }

  checkHealth(): Promise<void> {
    return this.#inner.checkHealth();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
