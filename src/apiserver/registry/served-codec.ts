// SPDX-License-Identifier: Apache-2.0
/**
 * ServedCodec turns one served resource's objects into what is stored and
 * back: the storage version (through the kind's converter when its versions
 * differ), upstream's field order, and the served apiVersion and kind.
 */
import { inUpstreamOrder, type KubeObject } from '../../api/index.js';
import type { KeyValue } from '../../storage/index.js';
import type { VersionConverter } from '../definitions/definition.js';
import { decodeObject } from './object-codec.js';

export class ServedCodec {
  readonly #converter?: VersionConverter;
  readonly #apiVersion: string;
  readonly #kind: string;

  constructor(apiVersion: string, kind: string, converter?: VersionConverter) {
    this.#apiVersion = apiVersion;
    this.#kind = kind;
    this.#converter = converter;
  }

  /** read decodes a stored value into the served object. */
  async read(kv: KeyValue): Promise<KubeObject> {
    return this.served(decodeObject(kv));
  }

  /**
   * written is what a write answers: the object just stored, at the
   * revision that stored it. It is the object the stored text was made
   * from, so that text is not parsed back (the answer has the same fields
   * in the same order: the resourceVersion last in metadata, as a read's).
   */
  async written(stored: KubeObject, kv: KeyValue): Promise<KubeObject> {
    stored.metadata.resourceVersion = String(kv.modRevision);
    return this.served(stored);
  }

  /** toStorage converts to the storage version and puts fields in upstream's order, once per write, so reads and watches need no reordering. */
  async toStorage(obj: KubeObject): Promise<KubeObject> {
    return inUpstreamOrder(this.#converter ? await this.#converter.toStorage(obj) : obj);
  }

  /** served converts a storage-version object to the served version. */
  async served(obj: KubeObject): Promise<KubeObject> {
    const out = this.#converter ? await this.#converter.fromStorage(obj) : obj;
    out.apiVersion = this.#apiVersion;
    out.kind = this.#kind;
    return out;
  }
}
