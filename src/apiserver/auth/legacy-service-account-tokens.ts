// SPDX-License-Identifier: Apache-2.0
/**
 * Legacy service account tokens: the non-expiring JWTs the token controller
 * writes into Secrets of type `kubernetes.io/service-account-token`, as
 * upstream's pkg/serviceaccount/legacy.go. They carry the issuer
 * `kubernetes/serviceaccount` and flat `kubernetes.io/serviceaccount/...`
 * claims, and hold only while their Secret still exists with that very
 * token and their ServiceAccount with the claimed uid.
 */
import type { KubeObject } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import { isNotFound } from '../../machinery/index.js';
import type { TokenAuthenticator } from '../authn.js';
import type { UserInfo } from '../registry/request-context.js';
import { looksLikeJWT, signJWT, verifyJWT } from './jwt.js';
import { serviceAccountGroups, serviceAccountUsername } from './service-account-claims.js';
import type { SigningKey } from './signing-key.js';

/** LEGACY_ISSUER is the `iss` of legacy tokens (upstream LegacyIssuer). */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
const NS = 'kubernetes.io/serviceaccount/namespace';
const SECRET = 'kubernetes.io/serviceaccount/secret.name';
const SA_NAME = 'kubernetes.io/serviceaccount/service-account.name';
const SA_UID = 'kubernetes.io/serviceaccount/service-account.uid';
/** LAST_USED_LABEL records the day a legacy token was last used (upstream legacy token tracking). */
export const LAST_USED_LABEL = 'kubernetes.io/legacy-token-last-used';

/** legacyToken signs the token of `secret` for `sa` (upstream LegacyClaims). */
export function legacyToken(key: SigningKey, sa: KubeObject, secret: KubeObject): string {
  const namespace = sa.metadata.namespace ?? '';
  return signJWT({
    iss: LEGACY_ISSUER,
    [NS]: namespace,
    [SECRET]: secret.metadata.name ?? '',
    [SA_NAME]: sa.metadata.name ?? '',
    [SA_UID]: sa.metadata.uid ?? '',
    sub: serviceAccountUsername(namespace, sa.metadata.name ?? ''),
  }, key);
}

/** LegacyTokenAuthenticator authenticates legacy tokens against their Secret and ServiceAccount. */
export class LegacyTokenAuthenticator implements TokenAuthenticator {
  constructor(private readonly key: SigningKey, private readonly client: Client) {}

  async authenticate(token: string): Promise<UserInfo | undefined> {
    if (!looksLikeJWT(token)) return undefined;
    const verified = verifyJWT(token, this.key);
    if ('error' in verified || verified.claims.iss !== LEGACY_ISSUER) return undefined;
    const c = verified.claims;
    const [namespace, secretName, saName, saUid] = [c[NS], c[SECRET], c[SA_NAME], c[SA_UID]];
    if (typeof namespace !== 'string' || typeof secretName !== 'string' || typeof saName !== 'string' || typeof saUid !== 'string') return undefined;
    if (!namespace || !secretName || !saName) return undefined;
    const secret = await this.#get(R.secrets, secretName, namespace);
    // The Secret must still hold exactly this token and not be on its way out (upstream legacy validator).
    const stored = (secret?.data as Record<string, string> | undefined)?.token;
    if (!secret || secret.metadata.deletionTimestamp || !stored || Buffer.from(stored, 'base64').toString('utf8') !== token) return undefined;
    const sa = await this.#get(R.serviceaccounts, saName, namespace);
    if (!sa || sa.metadata.deletionTimestamp || (saUid && sa.metadata.uid !== saUid)) return undefined;
    await this.#markUsed(secret);
    return { name: serviceAccountUsername(namespace, saName), uid: sa.metadata.uid, groups: [...serviceAccountGroups(namespace), 'system:authenticated'] };
  }

  /** markUsed labels the Secret with today's date (UTC) unless it says today or tomorrow already, as upstream; failures only cost the label. */
  async #markUsed(secret: KubeObject): Promise<void> {
    const now = new Date();
    const today = now.toISOString().slice(0, 10);
    const tomorrow = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
    const last = secret.metadata.labels?.[LAST_USED_LABEL];
    if (last === today || last === tomorrow) return;
    try {
      await this.client.patch(R.secrets, secret.metadata.name!, 'merge', { metadata: { uid: secret.metadata.uid, labels: { [LAST_USED_LABEL]: today } } }, { namespace: secret.metadata.namespace });
    } catch {
      // Upstream logs and carries on: authentication does not depend on the label.
    }
  }

  async #get(gr: typeof R.secrets | typeof R.serviceaccounts, name: string, namespace: string): Promise<KubeObject | undefined> {
    try {
      return await this.client.get(gr, name, { namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
