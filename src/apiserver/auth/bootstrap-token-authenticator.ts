// SPDX-License-Identifier: Apache-2.0
/**
 * The bootstrap token authenticator (upstream
 * plugin/pkg/auth/authenticator/token/bootstrap): a valid, unexpired token
 * marked for authentication is the user `system:bootstrap:<id>` in
 * `system:bootstrappers` plus the Secret's auth-extra-groups. A token that
 * is not of the form, or whose Secret is missing, deleted, of the wrong
 * type, expired or holds another secret authenticates no one; each reason
 * is logged as upstream's authenticator does, and the request gets a 401.
 */
import { timingSafeEqual } from 'node:crypto';
import type { KubeObject } from '../../api/index.js';
import {
  BOOTSTRAP_GROUP_RE,
  BOOTSTRAP_TOKEN_NAMESPACE,
  BOOTSTRAP_TOKEN_SECRET_PREFIX,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  BOOTSTRAP_USER_PREFIX,
  BOOTSTRAPPERS_GROUP,
  parseBootstrapToken,
} from '../../api/index.js';
import type { TokenAuthenticator } from '../authn.js';
import type { UserInfo } from '../registry/request-context.js';

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
    const bad = extra.find((g) => !BOOTSTRAP_GROUP_RE.test(g));
    if (bad) return this.#reject(`${where} has invalid value for key auth-extra-groups: bootstrap group "${bad}" is invalid (must match ${BOOTSTRAP_GROUP_RE.source})`);
    return { name: `${BOOTSTRAP_USER_PREFIX}${t.id}`, groups: [...new Set([BOOTSTRAPPERS_GROUP, ...extra])] };
  }

  #reject(reason: string): undefined {
    this.#o.log?.(`authentication: ${reason}`);
    return undefined;
  }
}
