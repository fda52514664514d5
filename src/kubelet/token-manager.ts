// SPDX-License-Identifier: Apache-2.0
/**
 * The kubelet's token manager (upstream pkg/kubelet/token): service account
 * tokens from TokenRequest, bound to the pod that uses them, cached per pod,
 * account, audience and lifetime, and fetched again once 80% of the lifetime
 * or 24 h has passed. When a refresh fails the cached token is used for as
 * long as it is valid; a pod with no token yet (its account does not exist
 * yet) fails the mount and its sync retries.
 */
import type { Pod, ServiceAccountTokenProjection } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.js';
import { R, type Client } from '../client/index.js';

/** DEFAULT_EXPIRATION_SECONDS is a projection's lifetime when it names none (API default). */
const DEFAULT_EXPIRATION_SECONDS = 3600;
/** MAX_TTL_MS: a token older than this is renewed whatever its lifetime (upstream maxTTL). */
const MAX_TTL_MS = 24 * 3600_000;

interface CachedToken {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

/** TokenManager hands out pod-bound service account tokens. */
export class TokenManager {
  readonly #client: Client;
  readonly #now: () => number;
  readonly #tokens = new Map<string, CachedToken>();

  constructor(client: Client, now: () => number = Date.now) {
    this.#client = client;
    this.#now = now;
  }

  /** token returns a valid token for the projection, fetching one when none is cached or the cached one is due for refresh. */
  async token(pod: Pod, src: ServiceAccountTokenProjection): Promise<string> {
    const ns = pod.metadata?.namespace ?? 'default';
    const sa = pod.spec?.serviceAccountName || 'default';
    const expirationSeconds = src.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
    const key = `${pod.metadata?.uid}/${sa}/${src.audience ?? ''}/${expirationSeconds}`;
    const cached = this.#tokens.get(key);
    const now = this.#now();
    if (cached && !this.#requiresRefresh(cached, now)) return cached.token;
    const req: KubeObject = {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { name: sa, namespace: ns },
      spec: {
        ...(src.audience ? { audiences: [src.audience] } : {}), expirationSeconds,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name, uid: pod.metadata?.uid },
      },
    };
    let res: KubeObject;
    try {
      res = await this.#client.create(R.serviceaccounts, req, { namespace: ns, subresource: 'token' });
    } catch (err) {
      // Upstream GetServiceAccountToken: no token yet fails; a cached one that still works is kept.
      if (!cached) throw new Error(`failed to fetch token: ${(err as Error).message}`);
      if (now >= cached.expiresAt) throw new Error(`token ${key} expired and refresh failed: ${(err as Error).message}`);
      return cached.token;
    }
    const status = (res.status ?? {}) as { token?: string; expirationTimestamp?: string };
    const stamped = status.expirationTimestamp ? Date.parse(status.expirationTimestamp) : NaN;
    const expiresAt = Number.isFinite(stamped) ? stamped : now + expirationSeconds * 1000;
    const token = String(status.token ?? '');
    this.#tokens.set(key, { token, issuedAt: expiresAt - expirationSeconds * 1000, expiresAt });
    return token;
  }

  // Upstream requiresRefresh: older than 24 h, or within the last 20% of the lifetime.
  #requiresRefresh(t: CachedToken, now: number): boolean {
    if (now >= t.issuedAt + MAX_TTL_MS) return true;
    return now >= t.expiresAt - (t.expiresAt - t.issuedAt) * 0.2;
  }

  /** forget drops a pod's tokens (its volumes are gone). */
  forget(uid: string): void {
    for (const k of this.#tokens.keys()) if (k.startsWith(`${uid}/`)) this.#tokens.delete(k);
  }
}
