// SPDX-License-Identifier: Apache-2.0
/**
 * Bootstrap tokens, as upstream (k8s.io/cluster-bootstrap and
 * plugin/pkg/auth/authenticator/token/bootstrap): a token `<id>.<secret>`
 * backed by the Secret `kube-system/bootstrap-token-<id>` of type
 * `bootstrap.kubernetes.io/token`. A valid, unexpired token marked for
 * authentication is the user `system:bootstrap:<id>` in `system:bootstrappers`
 * plus the Secret's auth-extra-groups. A token that is not of the form, or
 * whose Secret is missing, deleted, of the wrong type, expired or holds
 * another secret authenticates no one; each reason is logged as upstream's
 * authenticator does, and the request gets a 401.
 *
 * The join token Skiff prints also pins the cluster CA, as kubeadm's
 * `--discovery-token-ca-cert-hash`: `K10<sha256 of the CA's SPKI>::<id>.<secret>`
 * (the shape of k3s' secure tokens).
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import type { KubeObject } from '../../api/object.js';
import type { TokenAuthenticator } from '../authn.js';
import type { UserInfo } from '../registry/request-context.js';

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
export const BOOTSTRAP_TOKEN_NAMESPACE = 'kube-system';
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
/** DEFAULT_NODE_TOKEN_GROUP is the extra group of tokens made by `skiff token create` (kubeadm's is ...:kubeadm:default-node-token). */
export const DEFAULT_NODE_TOKEN_GROUP = 'system:bootstrappers:skiff:default-node-token';

const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
// Upstream's BootstrapGroupPattern.
const GROUP_RE = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
const JOIN_TOKEN_RE = /^K10([0-9a-f]{64})::([a-z0-9]{6}\.[a-z0-9]{16})$/;

/** BootstrapToken is the id and secret halves of `<id>.<secret>`. */
export interface BootstrapToken {
  id: string;
  secret: string;
}

/** parseBootstrapToken splits `<id>.<secret>`, or returns undefined when the text is not of that form. */
export function parseBootstrapToken(token: string): BootstrapToken | undefined {
  const m = TOKEN_RE.exec(token);
  return m ? { id: m[1], secret: m[2] } : undefined;
}

/** generateBootstrapToken draws a random id (6) and secret (16) from [a-z0-9], as kubeadm does. */
export function generateBootstrapToken(): BootstrapToken {
  const draw = (n: number) => Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[randomInt(36)]).join('');
  return { id: draw(6), secret: draw(16) };
}

/** JoinToken is what `skiff agent --token` takes: the bootstrap token and, when pinned, the CA hash (`sha256:<hex>`). */
export interface JoinToken extends BootstrapToken {
  caHash?: string;
}

/** formatJoinToken renders `K10<hex>::<id>.<secret>` from a `sha256:<hex>` CA hash. */
export function formatJoinToken(caHash: string, t: BootstrapToken): string {
  return `K10${caHash.replace(/^sha256:/, '')}::${t.id}.${t.secret}`;
}

/** parseJoinToken reads `K10<hex>::<id>.<secret>` or a bare `<id>.<secret>` (whose CA is then pinned another way). */
export function parseJoinToken(text: string): JoinToken | undefined {
  const m = JOIN_TOKEN_RE.exec(text.trim());
  if (m) return { ...parseBootstrapToken(m[2])!, caHash: `sha256:${m[1]}` };
  return parseBootstrapToken(text.trim());
}

/** bootstrapTokenSecret builds the Secret of a token, as `kubeadm token create` does. */
export function bootstrapTokenSecret(t: BootstrapToken, o: { ttlSeconds: number; description?: string; groups?: string[]; now?: Date }): KubeObject {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  const data: Record<string, string> = {
    'token-id': b64(t.id),
    'token-secret': b64(t.secret),
    'usage-bootstrap-authentication': b64('true'),
    'usage-bootstrap-signing': b64('true'),
    'auth-extra-groups': b64((o.groups ?? [DEFAULT_NODE_TOKEN_GROUP]).join(',')),
  };
  if (o.description) data.description = b64(o.description);
  // A TTL of 0 never expires, as kubeadm's --ttl 0.
  if (o.ttlSeconds > 0) data.expiration = b64(new Date((o.now ?? new Date()).getTime() + o.ttlSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${t.id}`, namespace: BOOTSTRAP_TOKEN_NAMESPACE },
    type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    data,
  };
}

/** BootstrapTokenOptions: where the authenticator reads Secrets, how it logs, and its clock. */
export interface BootstrapTokenOptions {
  /** getSecret reads `kube-system/<name>`, undefined when there is none. */
  getSecret(name: string): Promise<KubeObject | undefined>;
  log?: (msg: string) => void;
  now?: () => Date;
}

/** BootstrapTokenAuthenticator authenticates bearer tokens against bootstrap token Secrets. */
export class BootstrapTokenAuthenticator implements TokenAuthenticator {
  readonly #o: BootstrapTokenOptions;

  constructor(o: BootstrapTokenOptions) {
    this.#o = o;
  }

  async authenticate(token: string): Promise<UserInfo | undefined> {
    const t = parseBootstrapToken(token);
    // Not of the form: some other authenticator's token.
    if (!t) return undefined;
    const name = `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${t.id}`;
    const secret = await this.#o.getSecret(name);
    if (!secret) return this.#reject(`No secret of name ${name} to match bootstrap bearer token`);
    const where = `Bootstrap secret ${BOOTSTRAP_TOKEN_NAMESPACE}/${name} matching bearer token`;
    if (secret.metadata.deletionTimestamp) return this.#reject(`${where} is deleted and awaiting removal`);
    const data = (secret.data ?? undefined) as Record<string, string> | undefined;
    if (secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE || !data) return this.#reject(`${where} has invalid type, expected ${BOOTSTRAP_TOKEN_SECRET_TYPE}.`);
    const field = (k: string) => (data[k] === undefined ? '' : Buffer.from(data[k], 'base64').toString('utf8'));
    const stored = Buffer.from(field('token-secret'));
    const given = Buffer.from(t.secret);
    if (stored.length !== given.length || !timingSafeEqual(stored, given)) return this.#reject(`${where} has invalid value for key token-secret.`);
    if (field('token-id') !== t.id) return this.#reject(`${where} has invalid value for key token-id.`);
    const expiration = field('expiration');
    if (expiration) {
      const at = Date.parse(expiration);
      if (Number.isNaN(at)) return this.#reject(`${where} has unparsable expiration time "${expiration}"`);
      if (at < (this.#o.now?.() ?? new Date()).getTime()) return this.#reject(`Expired bootstrap token in ${BOOTSTRAP_TOKEN_NAMESPACE}/${name} Secret: ${expiration}`);
    }
    if (field('usage-bootstrap-authentication') !== 'true') return this.#reject(`${where} not marked usage-bootstrap-authentication=true.`);
    const extra = field('auth-extra-groups').split(',').map((g) => g.trim()).filter(Boolean);
    const bad = extra.find((g) => !GROUP_RE.test(g));
    if (bad) return this.#reject(`${where} has invalid value for key auth-extra-groups: bootstrap group "${bad}" is invalid (must match ${GROUP_RE.source})`);
    return { name: `${BOOTSTRAP_USER_PREFIX}${t.id}`, groups: [...new Set([BOOTSTRAPPERS_GROUP, ...extra])] };
  }

  #reject(reason: string): undefined {
    this.#o.log?.(`authentication: ${reason}`);
    return undefined;
  }
}
