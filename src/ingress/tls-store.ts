// SPDX-License-Identifier: Apache-2.0
/**
 * Server certificates by SNI name, from `kubernetes.io/tls` Secrets named
 * in Ingress `spec.tls`. Lookup is exact host, then a one-label wildcard
 * entry, then the default certificate, as ingress-nginx picks a server
 * block's certificate. Secure contexts are cached per Secret
 * resourceVersion, so rebuilding the table after an unrelated change does
 * not re-parse keys.
 */
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Secret } from 'kubernetes-types/core/v1.js';
import { lookupHost, normalizeHost, type IngressProblem, type TLSEntry } from './route-table.js';

/** TLS_SECRET_TYPE is the Secret type holding `tls.crt` and `tls.key`. */
export const TLS_SECRET_TYPE = 'kubernetes.io/tls';

/** TLSStore maps SNI names to secure contexts. */
export class TLSStore {
  readonly #fallback: SecureContext;
  #byHost = new Map<string, SecureContext>();
  /** cache: `ns/name` → [resourceVersion, context]. */
  #cache = new Map<string, [string, SecureContext]>();

  constructor(defaultCert: { cert: string; key: string }) {
    this.#fallback = createSecureContext(defaultCert);
  }

  /** contextFor returns the secure context for an SNI name (the default certificate when none matches). */
  contextFor(servername: string | undefined): SecureContext {
    const host = normalizeHost(servername);
    const key = lookupHost(this.#byHost, host);
    return (key && this.#byHost.get(key)) || this.#fallback;
  }

  /** hosts lists the SNI names with a certificate of their own. */
  hosts(): string[] {
    return [...this.#byHost.keys()];
  }

  /** update replaces the host → certificate map; unusable Secrets become problems and their hosts get the default certificate. */
  update(entries: ReadonlyMap<string, TLSEntry>, secret: (namespace: string, name: string) => Secret | undefined): IngressProblem[] {
    const problems: IngressProblem[] = [];
    const reported = new Set<string>();
    const byHost = new Map<string, SecureContext>();
    const cache = new Map<string, [string, SecureContext]>();
    for (const [host, e] of entries) {
      const id = `${e.namespace}/${e.secretName}`;
      const s = secret(e.namespace, e.secretName);
      const ctx = s ? this.#context(id, s, cache) : new Error(`Secret "${id}" not found`);
      if (ctx instanceof Error) {
        if (!reported.has(id)) problems.push({ ingress: e.ingress, reason: s ? 'InvalidTLSSecret' : 'TLSSecretNotFound', message: `${ctx.message}; serving the default certificate for ${host}` });
        reported.add(id);
        continue;
      }
      byHost.set(host, ctx);
    }
    this.#byHost = byHost;
    this.#cache = cache;
    return problems;
  }

  #context(id: string, s: Secret, next: Map<string, [string, SecureContext]>): SecureContext | Error {
    const rv = s.metadata?.resourceVersion ?? '';
    const hit = this.#cache.get(id) ?? next.get(id);
    if (hit && hit[0] === rv) {
      next.set(id, hit);
      return hit[1];
    }
    const crt = s.data?.['tls.crt'];
    const key = s.data?.['tls.key'];
    if (!crt || !key) return new Error(`Secret "${id}" has no tls.crt or tls.key`);
    try {
      const ctx = createSecureContext({ cert: Buffer.from(crt, 'base64'), key: Buffer.from(key, 'base64') });
      next.set(id, [rv, ctx]);
      return ctx;
    } catch (err) {
      return new Error(`Secret "${id}" does not hold a usable certificate and key: ${(err as Error).message}`);
    }
  }
}
