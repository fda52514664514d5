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

/** Certificate is one usable certificate: the Secret it came from and its PEM chain followed by its key. */
export interface Certificate {
  /** id is `namespace/name` of the Secret, or '' for the default certificate. */
  id: string;
  pem: string;
}

interface Loaded {
  rv: string;
  ctx: SecureContext;
  pem: string;
}

/** TLSStore maps SNI names to secure contexts. */
export class TLSStore {
  readonly #fallback: SecureContext;
  readonly #fallbackPem: string;
  #byHost = new Map<string, Loaded & { id: string }>();
  /** cache: `ns/name` → the Secret's parsed certificate at a resourceVersion. */
  #cache = new Map<string, Loaded>();

  constructor(defaultCert: { cert: string; key: string }) {
    this.#fallback = createSecureContext(defaultCert);
    this.#fallbackPem = pemOf(defaultCert.cert, defaultCert.key);
  }

  /** defaultCertificate is the fake certificate served to names without one of their own. */
  get defaultCertificate(): Certificate {
    return { id: '', pem: this.#fallbackPem };
  }

  /** certificateFor returns the certificate a host (or `*.domain` rule host) is served with: exact, then wildcard, then the default. */
  certificateFor(host: string): Certificate {
    const hit = this.#byHost.get(lookupHost(this.#byHost, host));
    return hit ? { id: hit.id, pem: hit.pem } : this.defaultCertificate;
  }

  /** contextFor returns the secure context for an SNI name (the default certificate when none matches). */
  contextFor(servername: string | undefined): SecureContext {
    const host = normalizeHost(servername);
    const key = lookupHost(this.#byHost, host);
    return (key && this.#byHost.get(key)?.ctx) || this.#fallback;
  }

  /** hosts lists the SNI names with a certificate of their own. */
  hosts(): string[] {
    return [...this.#byHost.keys()];
  }

  /** update replaces the host → certificate map; unusable Secrets become problems and their hosts get the default certificate. */
  update(entries: ReadonlyMap<string, TLSEntry>, secret: (namespace: string, name: string) => Secret | undefined): IngressProblem[] {
    const problems: IngressProblem[] = [];
    const reported = new Set<string>();
    const byHost = new Map<string, Loaded & { id: string }>();
    const cache = new Map<string, Loaded>();
    for (const [host, e] of entries) {
      const id = `${e.namespace}/${e.secretName}`;
      const s = secret(e.namespace, e.secretName);
      const ctx = s ? this.#context(id, s, cache) : new Error(`Secret "${id}" not found`);
      if (ctx instanceof Error) {
        if (!reported.has(id)) problems.push({ ingress: e.ingress, reason: s ? 'InvalidTLSSecret' : 'TLSSecretNotFound', message: `${ctx.message}; serving the default certificate for ${host}` });
        reported.add(id);
        continue;
      }
      byHost.set(host, { ...ctx, id });
    }
    this.#byHost = byHost;
    this.#cache = cache;
    return problems;
  }

  #context(id: string, s: Secret, next: Map<string, Loaded>): Loaded | Error {
    const rv = s.metadata?.resourceVersion ?? '';
    const hit = this.#cache.get(id) ?? next.get(id);
    if (hit && hit.rv === rv) {
      next.set(id, hit);
      return hit;
    }
    const crt = s.data?.['tls.crt'];
    const key = s.data?.['tls.key'];
    if (!crt || !key) return new Error(`Secret "${id}" has no tls.crt or tls.key`);
    try {
      const [certPem, keyPem] = [Buffer.from(crt, 'base64').toString(), Buffer.from(key, 'base64').toString()];
      // Parsing here (key and certificate must match) keeps a bad Secret from failing the data plane's whole configuration.
      const loaded = { rv, ctx: createSecureContext({ cert: certPem, key: keyPem }), pem: pemOf(certPem, keyPem) };
      next.set(id, loaded);
      return loaded;
    } catch (err) {
      return new Error(`Secret "${id}" does not hold a usable certificate and key: ${(err as Error).message}`);
    }
  }
}

/** pemOf joins a certificate chain and its key in one file, which nginx's ssl_certificate and ssl_certificate_key both accept. */
function pemOf(cert: string, key: string): string {
  return `${cert.trimEnd()}\n${key.trimEnd()}\n`;
}
