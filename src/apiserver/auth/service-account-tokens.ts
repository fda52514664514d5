// SPDX-License-Identifier: Apache-2.0
/**
 * Service account tokens: issuing them through the `serviceaccounts/<name>/token`
 * subresource (TokenRequest, upstream pkg/registry/core/serviceaccount/storage/token.go)
 * and authenticating requests that carry them (upstream
 * pkg/serviceaccount/jwt.go and claims.go). A token stays valid only while
 * its ServiceAccount, and the Pod or Secret it is bound to, still exist with
 * the uid the token names.
 */
import type { BoundObjectReference } from 'kubernetes-types/authentication/v1.js';
import type { KubeObject } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import { field, isNotFound, newBadRequest, newConflict, newInvalid, type FieldError, rfc3339 } from '../../machinery/index.js';
import type { TokenAuthenticator } from '../authn.js';
import type { RequestContext, UserInfo } from '../registry/request-context.js';
import { checkClaims, newClaims, serviceAccountGroups, serviceAccountUsername, type ObjectRef, type ServiceAccountClaims, type TokenSubject } from './service-account-claims.js';
import { looksLikeJWT, signJWT, verifyJWT } from './jwt.js';
import type { SigningKey } from './signing-key.js';
import { WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS } from '../admission/service-account.js';

/** DEFAULT_EXPIRATION_SECONDS is TokenRequest's default spec.expirationSeconds. */
export const DEFAULT_EXPIRATION_SECONDS = 3600;
/** MIN_EXPIRATION_SECONDS is the shortest lifetime a TokenRequest may ask for (10 minutes). */
export const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds?: number;
  boundObjectRef?: BoundObjectReference | null;
}

/** TokenIssuerOptions configure a TokenIssuer. */
export interface TokenIssuerOptions {
  key: SigningKey;
  /** issuer is the `iss` of every token. */
  issuer: string;
  /** apiAudiences are the audiences the API server accepts (default for TokenRequests that name none). */
  apiAudiences: string[];
  /** client reads ServiceAccounts, Pods and Secrets (full rights: lookups are not the requester's). */
  client: Client;
  /**
   * extendExpiration: a pod-bound token for the API's audiences asking for
   * exactly 3607 s (what the automatic kube-api-access volume asks) is valid
   * for a year and carries a warnafter claim at 3607 s, so clients that never
   * reread the file keep working (upstream's --service-account-extend-token-expiration, default true).
   */
  extendExpiration?: boolean;
  now?: () => number;
}

/** upstream's ExpirationExtensionSeconds: the lifetime of an extended token. */
const EXTENDED_EXPIRATION_SECONDS = 24 * 365 * 60 * 60;

/** TokenAuthResult is a TokenReview-shaped outcome: the user and accepted audiences, or why the token was refused. */
export type TokenAuthResult = { user: UserInfo; audiences: string[] } | { error: string };

/** TokenIssuer signs bound service account tokens and authenticates them. */
export class TokenIssuer implements TokenAuthenticator {
  readonly #o: TokenIssuerOptions;

  constructor(opts: TokenIssuerOptions) {
    this.#o = opts;
  }

  get apiAudiences(): string[] {
    return this.#o.apiAudiences;
  }

  #nowSeconds(): number {
    return Math.floor((this.#o.now ? this.#o.now() : Date.now()) / 1000);
  }

  /** issue signs a token for `subject` and returns it with its expiry (seconds since the epoch). */
  issue(subject: TokenSubject): { token: string; expiresAt: number } {
    const claims = newClaims(this.#o.issuer, subject, this.#nowSeconds());
    return { token: signJWT(claims, this.#o.key), expiresAt: claims.exp };
  }

  /**
   * createToken serves POST serviceaccounts/<name>/token: it checks the
   * TokenRequest, resolves the bound object and answers the request with
   * status.token and status.expirationTimestamp filled in.
   */
  async createToken(ctx: RequestContext, name: string, body: KubeObject, sa: KubeObject): Promise<KubeObject> {
    const namespace = ctx.namespace!;
    const spec = ((body.spec ?? {}) as TokenRequestSpec);
    validateTokenRequest(body, name, namespace, spec);
    const audiences = spec.audiences?.length ? spec.audiences : this.#o.apiAudiences;
    const expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
    const subject: TokenSubject = { namespace, serviceAccount: { name, uid: sa.metadata.uid ?? '' }, audiences, expirationSeconds };
    const bound = spec.boundObjectRef ?? undefined;
    let boundUid: string | undefined;
    if (bound?.kind) {
      const { nodeName, ...ref } = await this.#bind(namespace, name, bound);
      boundUid = ref.uid;
      if (bound.kind === 'Pod') {
        subject.pod = ref;
        // The pod's node goes into the token too (upstream's ServiceAccountTokenPodNodeInfo); a node that is gone is left out.
        if (nodeName) subject.node = await this.#o.client.get(R.nodes, nodeName).then((n) => ({ name: nodeName, uid: n.metadata.uid ?? '' }), () => undefined);
      } else if (bound.kind === 'Node') subject.node = ref;
      else subject.secret = ref;
    }
    const extend = (this.#o.extendExpiration ?? true) && subject.pod !== undefined && expirationSeconds === WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS
      && audiences.every((a) => this.#o.apiAudiences.includes(a));
    if (extend) Object.assign(subject, { expirationSeconds: EXTENDED_EXPIRATION_SECONDS, warnAfterSeconds: expirationSeconds });
    const { token } = this.issue(subject);
    // The answer's expiry is the one asked for, so the kubelet still replaces the token on time.
    const expiresAt = this.#nowSeconds() + expirationSeconds;
    const out = structuredClone(body) as KubeObject;
    out.apiVersion = 'authentication.k8s.io/v1';
    out.kind = 'TokenRequest';
    out.metadata = { ...(out.metadata ?? {}), name, namespace, creationTimestamp: rfc3339(this.#nowSeconds() * 1000) };
    out.spec = { ...spec, audiences, expirationSeconds };
    if (bound) (out.spec as TokenRequestSpec).boundObjectRef = { ...bound, uid: boundUid };
    else delete (out.spec as TokenRequestSpec).boundObjectRef;
    out.status = { token, expirationTimestamp: rfc3339(expiresAt * 1000) };
    return out;
  }

  /** #bind fetches the object a token is bound to and checks it may carry this account's token (token.go). */
  async #bind(namespace: string, saName: string, ref: BoundObjectReference): Promise<ObjectRef & { nodeName?: string }> {
    const kind = ref.kind!;
    // Node binding is upstream's ServiceAccountTokenNodeBinding (on by default since 1.31).
    const gr = kind === 'Pod' ? R.pods : kind === 'Secret' ? R.secrets : kind === 'Node' ? R.nodes : undefined;
    if (!gr || (ref.apiVersion && ref.apiVersion !== 'v1')) throw newBadRequest(`cannot bind token to object of type ${kind}`);
    const obj = await this.#o.client.get(gr, ref.name ?? '', kind === 'Node' ? {} : { namespace });
    const uid = obj.metadata.uid ?? '';
    if (ref.uid && ref.uid !== uid) {
      throw newConflict({ group: '', resource: gr.resource }, ref.name ?? '', `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    if (kind === 'Pod' && (obj.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName !== saName) {
      throw newBadRequest(`cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`);
    }
    return { name: obj.metadata.name!, uid, nodeName: kind === 'Pod' ? (obj.spec as { nodeName?: string } | undefined)?.nodeName : undefined };
  }

  /** authenticate is the TokenAuthenticator entry point: the user of a valid service account token. */
  async authenticate(token: string): Promise<UserInfo | undefined> {
    if (!looksLikeJWT(token)) return undefined;
    const r = await this.review(token, this.#o.apiAudiences);
    return 'user' in r ? r.user : undefined;
  }

  /** review validates a token for any of `audiences` (TokenReview), giving the reason when it is refused. */
  async review(token: string, audiences: string[]): Promise<TokenAuthResult> {
    const verified = verifyJWT(token, this.#o.key);
    if ('error' in verified) return verified;
    const claims = checkClaims(verified.claims, this.#o.issuer, audiences, this.#nowSeconds());
    if ('error' in claims) return claims;
    const stale = await this.#staleBinding(claims);
    if (stale) return { error: stale };
    const k = claims['kubernetes.io'];
    const user: UserInfo = {
      name: serviceAccountUsername(k.namespace, k.serviceaccount.name),
      uid: k.serviceaccount.uid,
      groups: [...serviceAccountGroups(k.namespace), 'system:authenticated'],
      extra: serviceAccountExtra(claims),
    };
    return { user, audiences: claims.aud.filter((a) => audiences.includes(a)) };
  }

  /** #staleBinding says why a token no longer holds: its account, pod or secret is gone or was recreated. */
  async #staleBinding(claims: ServiceAccountClaims): Promise<string | undefined> {
    const k = claims['kubernetes.io'];
    const checks: [typeof R.pods | typeof R.serviceaccounts | typeof R.secrets | typeof R.nodes, string, ObjectRef | undefined][] = [
      [R.serviceaccounts, 'service account', k.serviceaccount],
      [R.pods, 'pod', k.pod],
      [R.secrets, 'secret', k.secret],
      // A node is checked only when the token is bound to it; a pod-bound token merely names its pod's node (upstream).
      [R.nodes, 'node', k.pod ? undefined : k.node],
    ];
    for (const [gr, what, ref] of checks) {
      if (!ref) continue;
      const node = gr === R.nodes;
      let obj: KubeObject;
      try {
        obj = await this.#o.client.get(gr, ref.name, node ? {} : { namespace: k.namespace });
      } catch (err) {
        if (isNotFound(err)) return `${what} ${node ? '' : `${k.namespace}/`}${ref.name} has been deleted`;
        throw err;
      }
      if (obj.metadata.uid !== ref.uid) return `${what} UID (${obj.metadata.uid}) does not match claim (${ref.uid})`;
      if (obj.metadata.deletionTimestamp && what !== 'service account') return `${what} ${k.namespace}/${ref.name} is being deleted`;
    }
    return undefined;
  }
}

/** validateTokenRequest applies upstream's TokenRequest validation (name match, lifetime bounds). */
function validateTokenRequest(body: KubeObject, name: string, namespace: string, spec: TokenRequestSpec): void {
  if (body.kind && body.kind !== 'TokenRequest') throw newBadRequest(`not a TokenRequest: ${body.kind}`);
  const errs: FieldError[] = [];
  const meta = body.metadata ?? {};
  if (meta.name && meta.name !== name) errs.push(field.invalid('metadata.name', meta.name, 'must match the service account name if specified'));
  if (meta.namespace && meta.namespace !== namespace) errs.push(field.invalid('metadata.namespace', meta.namespace, 'must match the service account namespace if specified'));
  const exp = spec.expirationSeconds;
  if (exp !== undefined && exp !== null) {
    if (!Number.isInteger(exp)) errs.push(field.invalid('spec.expirationSeconds', exp, 'must be an integer'));
    else if (exp < MIN_EXPIRATION_SECONDS) errs.push(field.invalid('spec.expirationSeconds', exp, 'may not specify a duration less than 10 minutes'));
    else if (exp > MAX_EXPIRATION_SECONDS) errs.push(field.invalid('spec.expirationSeconds', exp, 'may not specify a duration larger than 2^32 seconds'));
  }
  const kind = spec.boundObjectRef?.kind;
  if (spec.boundObjectRef && kind && !spec.boundObjectRef.name) errs.push(field.required('spec.boundObjectRef.name'));
  if (errs.length) throw newInvalid('TokenRequest', 'authentication.k8s.io', name, errs);
}

/** The user extra keys of service account tokens (upstream's serviceaccount package and user.CredentialIDKey). */
const EXTRA = {
  credentialID: 'authentication.kubernetes.io/credential-id',
  nodeName: 'authentication.kubernetes.io/node-name',
  nodeUID: 'authentication.kubernetes.io/node-uid',
  podName: 'authentication.kubernetes.io/pod-name',
  podUID: 'authentication.kubernetes.io/pod-uid',
};

/**
 * serviceAccountExtra is what upstream's ServiceAccountInfo.UserInfo adds to
 * the user: the token's id as `JTI=<jti>`, the node and the pod it is bound
 * to. Keys in Go's map order (sorted), as upstream serializes them.
 */
function serviceAccountExtra(claims: ServiceAccountClaims): Record<string, string[]> | undefined {
  const k = claims['kubernetes.io'];
  const extra: Record<string, string[]> = {};
  if (claims.jti) extra[EXTRA.credentialID] = [`JTI=${claims.jti}`];
  if (k.node?.name) {
    extra[EXTRA.nodeName] = [k.node.name];
    if (k.node.uid) extra[EXTRA.nodeUID] = [k.node.uid];
  }
  if (k.pod?.name && k.pod.uid) {
    extra[EXTRA.podName] = [k.pod.name];
    extra[EXTRA.podUID] = [k.pod.uid];
  }
  return Object.keys(extra).length ? extra : undefined;
}
