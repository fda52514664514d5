// SPDX-License-Identifier: Apache-2.0
/**
 * The claims of a bound service account token, as upstream's
 * pkg/serviceaccount/claims.go writes and checks them: the registered JWT
 * claims plus a private `kubernetes.io` claim naming the namespace, the
 * ServiceAccount (name and uid) and, for bound tokens, the Pod or Secret the
 * token lives and dies with.
 */
import { randomUUID } from 'node:crypto';

/** DEFAULT_ISSUER is upstream's usual --service-account-issuer. */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** SERVICE_ACCOUNT_USER_PREFIX starts every service account user name. */
export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';

/** ObjectRef names an object by name and uid, as the claim stores it. */
export interface ObjectRef {
  name: string;
  uid: string;
}

/** KubernetesClaim is the private `kubernetes.io` claim. */
export interface KubernetesClaim {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  /** warnafter is when an extended token (see TokenSubject.warnAfterSeconds) would have expired. */
  warnafter?: number;
}

/** ServiceAccountClaims is the whole claim set of a token. */
export interface ServiceAccountClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': KubernetesClaim;
}

/** TokenSubject is what a token is for: the account, what it is bound to, for whom, for how long. */
export interface TokenSubject {
  namespace: string;
  serviceAccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  /** node is the Node a token is bound to, or the node of the pod it is bound to (upstream's ServiceAccountTokenPodNodeInfo). */
  node?: ObjectRef;
  audiences: string[];
  expirationSeconds: number;
  /** warnAfterSeconds: the token is valid for expirationSeconds but says it should have been replaced after this many (upstream's warnafter). */
  warnAfterSeconds?: number;
}

/** serviceAccountUsername is the user name of a service account (`system:serviceaccount:<ns>:<name>`). */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;
}

/** serviceAccountGroups are the groups every service account belongs to, as upstream's MakeGroupNames. */
export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];
}

/** newClaims builds the claims of a token issued now (seconds since the epoch). */
export function newClaims(issuer: string, s: TokenSubject, nowSeconds: number): ServiceAccountClaims {
  const k8s: KubernetesClaim = { namespace: s.namespace, serviceaccount: s.serviceAccount };
  if (s.pod) k8s.pod = s.pod;
  if (s.secret) k8s.secret = s.secret;
  if (s.node) k8s.node = s.node;
  if (s.warnAfterSeconds) k8s.warnafter = nowSeconds + s.warnAfterSeconds;
  return {
    iss: issuer,
    sub: serviceAccountUsername(s.namespace, s.serviceAccount.name),
    aud: s.audiences,
    exp: nowSeconds + s.expirationSeconds,
    iat: nowSeconds,
    nbf: nowSeconds,
    jti: randomUUID(),
    'kubernetes.io': k8s,
  };
}

/** LEEWAY_SECONDS tolerates clock skew on exp and nbf, as go-jose's default leeway. */
export const LEEWAY_SECONDS = 60;

/**
 * checkClaims validates the parts of the claims that need no lookups:
 * issuer, audience, time window, and the shape of the `kubernetes.io`
 * claim. It returns the typed claims or why they are not acceptable.
 */
export function checkClaims(raw: Record<string, unknown>, issuer: string, audiences: string[], nowSeconds: number): ServiceAccountClaims | { error: string } {
  if (raw.iss !== issuer) return { error: 'token issuer is not trusted' };
  const aud = typeof raw.aud === 'string' ? [raw.aud] : Array.isArray(raw.aud) ? raw.aud.filter((a): a is string => typeof a === 'string') : [];
  if (!aud.some((a) => audiences.includes(a))) return { error: 'token audiences are invalid' };
  if (typeof raw.exp !== 'number' || nowSeconds > raw.exp + LEEWAY_SECONDS) return { error: 'service account token has expired' };
  if (typeof raw.nbf === 'number' && nowSeconds + LEEWAY_SECONDS < raw.nbf) return { error: 'service account token is not valid yet' };
  const k = raw['kubernetes.io'] as Partial<KubernetesClaim> | undefined;
  if (!k || typeof k.namespace !== 'string' || !k.namespace || !isRef(k.serviceaccount)) return { error: 'service account token claims are missing the kubernetes.io claim' };
  if (raw.sub !== serviceAccountUsername(k.namespace, k.serviceaccount.name)) return { error: 'service account token subject does not match its kubernetes.io claim' };
  if ((k.pod !== undefined && !isRef(k.pod)) || (k.secret !== undefined && !isRef(k.secret)) || (k.node !== undefined && !isRef(k.node))) return { error: 'service account token has a malformed object binding' };
  return { ...(raw as unknown as ServiceAccountClaims), aud };
}

function isRef(v: unknown): v is ObjectRef {
  return typeof v === 'object' && v !== null && typeof (v as ObjectRef).name === 'string' && typeof (v as ObjectRef).uid === 'string';
}
