// SPDX-License-Identifier: Apache-2.0
/**
 * The served OpenAPI documents of one set of resources (builders.ts renders
 * them), each built and serialized once until a resource comes or goes, and
 * served from cached Buffers with an ETag. As upstream (kube-openapi
 * handler3), the hash in each index URL is the SHA-512 of the document, so a
 * client that caches `?hash=` URLs forever is never stale. The module functions serve the built-in resources, for
 * callers without a server of their own.
 */
import { builtinDefinitions, DefinitionRegistry } from '../definitions/index.js';
import { customResourceDefinitionKind } from '../apiextensions/crd-kind.js';
import { encodeGnosticDocument } from './gnostic-v2.js';
import type { DefinitionNameOf } from './operations.js';
import { builtinDefinitionName, JSON_TYPE, render, renderBytes, v2Document, v3Document, v3PathsByDocument, type OpenAPISource, type Rendered } from './builders.js';
import { definitions, type Definitions } from './schema.js';
import { negotiateV2Format, OPENAPI_V2_PROTOBUF } from './v2-media-types.js';
import { mergeAggregated, type SwaggerDocument } from './v2-merge.js';

/** OpenAPIV3Index is the document served at /openapi/v3. */
export interface OpenAPIV3Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

/**
 * OpenAPIDocuments renders the documents of one OpenAPISource, each built and
 * serialized once until invalidate() (a resource came or went).
 */
export class OpenAPIDocuments {
  readonly #src: OpenAPISource;
  #defs?: { all: Definitions; nameOf: DefinitionNameOf };
  #v2?: { doc: object; rendered: Rendered };
  #v2Protobuf?: Rendered;
  #v3?: Map<string, Rendered>;
  #index?: Rendered;

  constructor(src: OpenAPISource) {
    this.#src = src;
  }

  /** invalidate drops every rendered document; the next request rebuilds them. */
  invalidate(): void {
    this.#defs = this.#v2 = this.#v2Protobuf = this.#v3 = this.#index = undefined;
  }

  /** v2 returns the swagger 2.0 document of every served resource. */
  v2(): object {
    return this.#v2Rendered().doc;
  }

  /** v2Json returns the swagger 2.0 document serialized once, with its ETag. */
  v2Json(): Rendered {
    return this.#v2Rendered().rendered;
  }

  /**
   * v2Protobuf returns the swagger 2.0 document as gnostic's
   * `openapi.v2.Document` protobuf, encoded once, with an ETag of its own bytes
   * (upstream hashes each served form separately).
   */
  v2Protobuf(): Rendered {
    this.#v2Protobuf ??= renderBytes(encodeGnosticDocument(this.v2() as Record<string, unknown>));
    return this.#v2Protobuf;
  }

  /**
   * v2For returns /openapi/v2 in the form the Accept header asks for, JSON or
   * protobuf, with the Content-Type to answer; undefined means neither is
   * acceptable (406).
   */
  v2For(accept: string | undefined): { rendered: Rendered; contentType: string } | undefined {
    const format = negotiateV2Format(accept);
    if (format === 'protobuf') return { rendered: this.v2Protobuf(), contentType: OPENAPI_V2_PROTOBUF };
    return format === 'json' ? { rendered: this.v2Json(), contentType: JSON_TYPE } : undefined;
  }

  /** v3Index lists every v3 document (`api/v1`, `apis/apps/v1`, `apis/apps`, `api`, `apis`, `version`) with its hashed URL. */
  v3Index(): OpenAPIV3Index {
    const paths: OpenAPIV3Index['paths'] = {};
    for (const [key, r] of this.#v3Rendered()) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${r.hash}` };
    // An aggregated group/version links to its server's document (the request is proxied there), as upstream's v3 aggregator lists it.
    Object.assign(paths, this.#src.extraV3Paths?.() ?? {});
    return { paths };
  }

  /** v3IndexJson returns the /openapi/v3 index serialized once, with its ETag. */
  v3IndexJson(): Rendered {
    this.#index ??= render(this.v3Index());
    return this.#index;
  }

  /**
   * v3Json returns the document for one index key (`api/v1`, `apis/apps/v1`;
   * a leading slash or `/openapi/v3/` prefix is tolerated), or undefined when
   * no such document exists (answer 404).
   */
  v3Json(groupVersionPath: string): Rendered | undefined {
    const key = groupVersionPath.replace(/^\/?(openapi\/v3\/)?/, '').replace(/\/$/, '');
    return this.#v3Rendered().get(key);
  }

  /** definitions: the generated ones plus those of run-time kinds, and how each served kind's is named. */
  #definitions(): { all: Definitions; nameOf: DefinitionNameOf } {
    if (this.#defs) return this.#defs;
    const base = definitions();
    const schemaOf = this.#src.schemaOf?.bind(this.#src);
    let all = base;
    for (const r of this.#src.resources()) {
      const model = schemaOf?.(r);
      if (model) all = { ...(all === base ? { ...base } : all), ...model.definitions };
    }
    const nameOf: DefinitionNameOf = (r) => schemaOf?.(r)?.name ?? builtinDefinitionName(r);
    this.#defs = { all, nameOf };
    return this.#defs;
  }

  #v2Rendered(): { doc: object; rendered: Rendered } {
    if (this.#v2) return this.#v2;
    const { all, nameOf } = this.#definitions();
    // Aggregated servers' paths and schemas join the local ones, as kube-aggregator's OpenAPI aggregation merges them.
    const doc = mergeAggregated(v2Document(this.#src, all, nameOf) as SwaggerDocument, this.#src.extraV2Documents?.() ?? []);
    this.#v2 = { doc, rendered: render(doc) };
    return this.#v2;
  }

  #v3Rendered(): Map<string, Rendered> {
    if (this.#v3) return this.#v3;
    const { all, nameOf } = this.#definitions();
    const out = new Map<string, Rendered>();
    for (const [key, paths] of v3PathsByDocument(this.#src, nameOf)) out.set(key, render(v3Document(paths, all)));
    this.#v3 = out;
    return out;
  }
}

/**
 * The documents a server serves before any custom resource exists (built-in
 * kinds and CustomResourceDefinition), for callers without a server of their
 * own (tests, tools).
 */
const served = new DefinitionRegistry([...builtinDefinitions(), customResourceDefinitionKind()]);
const builtin = new OpenAPIDocuments({
  servedGroups: () => served.servedGroups(),
  resources: () => served.resources(),
  schemaOf: (r) => served.lookup(r.group, r.version, r.plural)?.openAPI,
});

/** openAPIV2 returns the swagger 2.0 document of every built-in resource. */
export function openAPIV2(): object {
  return builtin.v2();
}

/** openAPIV2Json returns the built-in swagger 2.0 document serialized once, with its ETag. */
export function openAPIV2Json(): Rendered {
  return builtin.v2Json();
}

/** openAPIV2Protobuf returns the built-in swagger 2.0 document as gnostic protobuf. */
export function openAPIV2Protobuf(): Rendered {
  return builtin.v2Protobuf();
}

/** openAPIV2For returns the built-in /openapi/v2 in the form the Accept header asks for. */
export function openAPIV2For(accept: string | undefined): { rendered: Rendered; contentType: string } | undefined {
  return builtin.v2For(accept);
}

/** openAPIV3Index lists every built-in v3 document with its hashed URL. */
export function openAPIV3Index(): OpenAPIV3Index {
  return builtin.v3Index();
}

/** openAPIV3IndexJson returns the built-in /openapi/v3 index serialized once. */
export function openAPIV3IndexJson(): Rendered {
  return builtin.v3IndexJson();
}

/** openAPIV3Json returns the built-in document for one index key, or undefined. */
export function openAPIV3Json(groupVersionPath: string): Rendered | undefined {
  return builtin.v3Json(groupVersionPath);
}
