// SPDX-License-Identifier: Apache-2.0
/**
 * Bootstrap tokens, as upstream's k8s.io/cluster-bootstrap: a token
 * `<id>.<secret>` backed by the Secret `kube-system/bootstrap-token-<id>` of
 * type `bootstrap.kubernetes.io/token` (the API server's authenticator reads
 * it; `skiff token create` writes it; the agent parses the join token).
 *
 * The join token Skiff prints also pins the cluster CA, as kubeadm's
 * `--discovery-token-ca-cert-hash`: `K10<sha256 of the CA's SPKI>::<id>.<secret>`
 * (the shape of k3s' secure tokens).
 */
import { randomInt } from 'node:crypto';
import type { KubeObject } from '../object.js';

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
export const BOOTSTRAP_TOKEN_NAMESPACE = 'kube-system';
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
/** DEFAULT_NODE_TOKEN_GROUP is the extra group of tokens made by `skiff token create` (kubeadm's is ...:kubeadm:default-node-token). */
export const DEFAULT_NODE_TOKEN_GROUP = 'system:bootstrappers:skiff:default-node-token';

const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
/** BOOTSTRAP_GROUP_RE is upstream's BootstrapGroupPattern: what auth-extra-groups may name. */
export const BOOTSTRAP_GROUP_RE = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
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

