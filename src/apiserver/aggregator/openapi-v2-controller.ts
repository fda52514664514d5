// SPDX-License-Identifier: Apache-2.0
/**
 * The swagger 2.0 documents of aggregated API servers, as kube-aggregator's
 * OpenAPI AggregationController keeps them: for each remote APIService it
 * GETs `/openapi/v2` (Accept: application/json) from the server as user
 * system:aggregator, sending the last ETag as If-None-Match; it looks again a
 * minute after each success and backs off after a failure, keeping the last
 * document it got (upstream's cached.LastSuccess). A 404 means the server
 * publishes no document. The aggregator merges what is kept into the served
 * /openapi/v2 (openapi/v2-merge.ts).
 */
import { createHash } from 'node:crypto';
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import { Reconciler, type SharedInformer } from '../../client/index.js';
import type { PemPair } from '../../pki/index.js';
import type { SwaggerDocument } from '../openapi/index.js';
import { getRemote, tlsOptionsFor, type RemoteAnswer } from './remote-transport.js';
import { resolveEndpoint, serviceRefOf } from './service-resolver.js';
import type { APIService } from './types.js';

/** AGGREGATOR_USER is who the document downloads are sent as (upstream's aggregatorUser). */
export const AGGREGATOR_USER = 'system:aggregator';

/** successfulUpdateDelay in upstream's controller: a document is fetched again a minute after it was fetched. */
const RESYNC_MS = 60_000;

/** specDownloadTimeout in upstream's aggregator. */
const DOWNLOAD_TIMEOUT_MS = 60_000;

/** FetchSpec GETs /openapi/v2 from an APIService's server (injectable for tests). */
export type FetchSpec = (s: APIService, headers: Record<string, string>) => Promise<RemoteAnswer>;

export interface OpenAPIV2ControllerOptions {
  apiServices: SharedInformer<APIService>;
  services: SharedInformer;
  endpoints: SharedInformer;
  proxyClient: PemPair;
  /** changed is told when the set of kept documents changed. */
  changed(): void;
  resyncMs?: number;
  fetch?: FetchSpec;
  log?: (msg: string) => void;
}

interface Kept {
  doc: SwaggerDocument;
  etag: string;
  /** local: the server sent no ETag, so ours (a hash of the body) is compared instead of sent. */
  local: boolean;
}

export class OpenAPIV2Controller extends Reconciler {
  readonly #o: OpenAPIV2ControllerOptions;
  readonly #kept = new Map<string, Kept>();

  constructor(o: OpenAPIV2ControllerOptions) {
    super({ name: 'apiservice-openapi-v2', log: o.log });
    this.#o = o;
    o.apiServices.addEventHandler({
      onAdd: (s) => this.enqueue(s.metadata.name!),
      onUpdate: (old, s) => this.#updated(old, s),
      onDelete: (s) => this.enqueue(s.metadata.name!),
    });
  }

  /** documents are the kept documents by APIService name. */
  documents(): ReadonlyMap<string, SwaggerDocument> {
    return new Map([...this.#kept].map(([name, k]) => [name, k.doc]));
  }

  async sync(name: string): Promise<void> {
    const s = this.#o.apiServices.get(name);
    if (!s || !serviceRefOf(s.spec)) return this.#drop(name);
    const kept = this.#kept.get(name);
    const headers: Record<string, string> = { 'X-Remote-User': AGGREGATOR_USER };
    if (kept && !kept.local) headers['If-None-Match'] = kept.etag;
    const answer = await (this.#o.fetch ?? this.#fetch)(s, headers);
    if (answer.status === 404) {
      this.#drop(name);
    } else if (answer.status === 200) {
      this.#keep(name, answer);
    } else if (answer.status !== 304 || !kept) {
      // Thrown: the queue backs off, and the last document stays served.
      throw new Error(`failed to retrieve openAPI spec, http error: ResponseCode: ${answer.status}, Body: ${answer.body.slice(0, 200)}`);
    }
    this.queue.addAfter(name, this.#o.resyncMs ?? RESYNC_MS);
  }

  /**
   * updated fetches again at once when the APIService's spec changed or its
   * last fetch failed (as upstream's UpdateAPIService, which runs on every
   * APIService event, status changes included); otherwise the next round
   * comes as scheduled.
   */
  #updated(old: APIService, s: APIService): void {
    const name = s.metadata.name!;
    const failing = this.queue.numRequeues(name) > 0;
    if (!failing && JSON.stringify(old.spec) === JSON.stringify(s.spec)) return;
    this.queue.forget(name);
    this.enqueue(name);
  }

  readonly #fetch: FetchSpec = (s, headers) => {
    const target = resolveEndpoint(serviceRefOf(s.spec)!, (k) => this.#o.services.get(k) as Service | undefined, (k) => this.#o.endpoints.get(k) as Endpoints | undefined);
    return getRemote(target, '/openapi/v2', tlsOptionsFor(s, this.#o.proxyClient), headers, DOWNLOAD_TIMEOUT_MS);
  };

  #keep(name: string, answer: RemoteAnswer): void {
    const doc = JSON.parse(answer.body) as SwaggerDocument;
    const local = !answer.etag;
    const etag = answer.etag ?? createHash('sha512').update(answer.body).digest('hex');
    const kept = this.#kept.get(name);
    this.#kept.set(name, { doc, etag, local });
    if (kept?.etag !== etag) this.#o.changed();
  }

  #drop(name: string): void {
    if (this.#kept.delete(name)) this.#o.changed();
  }
}
