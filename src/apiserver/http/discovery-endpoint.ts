// SPDX-License-Identifier: Apache-2.0
/**
 * DiscoveryEndpoint answers /api, /apis (plain or aggregated by Accept) and
 * the per group and group-version documents. Each document is serialized
 * once: it changes only when an extension or a definition comes or goes,
 * and kubectl fetches them on most invocations.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError } from '../../machinery/index.js';
import type { DefinitionRegistry } from '../definitions/index.js';
import { AGGREGATED_DISCOVERY_V2, aggregatedDiscovery, apiGroupList, apiVersions, wantsAggregatedDiscovery } from '../discovery.js';
import type { APIExtension } from '../extensions.js';
import { writeError, writeJsonText } from './response.js';

/** DiscoveryMerger adds group/versions served elsewhere (aggregated API servers) to the /apis documents. */
export interface DiscoveryMerger {
  groupList<T extends object>(doc: T): T;
  aggregated<T extends object>(doc: T): T;
}

export class DiscoveryEndpoint {
  readonly #extensions: APIExtension[];
  readonly #definitions: DefinitionRegistry;
  readonly #port: number;
  readonly #merger?: DiscoveryMerger;
  readonly #documents = new Map<string, string | undefined>();

  /** extensions is the server's live list: documents built later see extensions added later. */
  constructor(extensions: APIExtension[], definitions: DefinitionRegistry, port: number, merger?: DiscoveryMerger) {
    this.#extensions = extensions;
    this.#definitions = definitions;
    this.#port = port;
    this.#merger = merger;
  }

  /** clear forgets every serialized document (an extension or a definition changed). */
  clear(): void {
    this.#documents.clear();
  }

  serveRoot(req: IncomingMessage, res: ServerResponse, path: string): void {
    const legacy = path === '/api';
    if (wantsAggregatedDiscovery(req.headers.accept)) {
      const text = this.#cached(`aggregated ${path}`, () => {
        const doc = aggregatedDiscovery(legacy, this.#extensions, this.#definitions);
        return legacy || !this.#merger ? doc : this.#merger.aggregated(doc);
      })!;
      return writeJsonText(res, 200, text, [], AGGREGATED_DISCOVERY_V2);
    }
    const host = req.headers.host ?? `127.0.0.1:${this.#port}`;
    // /api names the address the client used, so its cached form is per Host.
    const text = legacy ? this.#cached(`/api ${host}`, () => apiVersions(host))! : this.#cached('/apis', () => {
      const doc = apiGroupList(this.#extensions, this.#definitions);
      return this.#merger ? this.#merger.groupList(doc) : doc;
    })!;
    writeJsonText(res, 200, text);
  }

  /** cachedDiscovery serializes a discovery document once per key (undefined: no such document). */
  #cached(key: string, build: () => object | undefined): string | undefined {
    if (this.#documents.has(key)) return this.#documents.get(key);
    const doc = build();
    const text = doc === undefined ? undefined : JSON.stringify(doc);
    // Bounded: Host headers are client-chosen.
    if (this.#documents.size < 256) this.#documents.set(key, text);
    return text;
  }

  serveDocument(res: ServerResponse, path: string, build: () => object | undefined): void {
    const text = this.#cached(path, build);
    if (text === undefined) return writeError(res, new StatusError(404, 'NotFound', 'the server could not find the requested resource'));
    writeJsonText(res, 200, text);
  }
}
