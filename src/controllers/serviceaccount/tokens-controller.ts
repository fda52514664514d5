// SPDX-License-Identifier: Apache-2.0
/**
 * The token controller, after upstream pkg/controller/serviceaccount
 * (tokens_controller.go): a Secret of type
 * `kubernetes.io/service-account-token` annotated with a ServiceAccount's
 * name gets `token`, `ca.crt` and `namespace` filled in (and the account's
 * uid annotated); a token Secret whose account is gone, or was recreated
 * with another uid, is deleted, and deleting an account deletes its token
 * Secrets. Keys are `namespace/secret-name`.
 */
import type { KubeObject } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import type { InformerFactory, SharedInformer } from '../../client/index.js';
import type { Clock } from '../../client/index.js';
import { isNotFound } from '../../machinery/index.js';
import { Reconciler } from '../../client/index.js';

export const SERVICE_ACCOUNT_TOKEN_TYPE = 'kubernetes.io/service-account-token';
export const SERVICE_ACCOUNT_NAME_KEY = 'kubernetes.io/service-account.name';
export const SERVICE_ACCOUNT_UID_KEY = 'kubernetes.io/service-account.uid';

export interface TokensControllerOptions {
  client: Client;
  factory: InformerFactory;
  /** rootCA is the PEM written as `ca.crt`. */
  rootCA: string;
  /** generateToken signs the legacy token of a Secret for its ServiceAccount. */
  generateToken(sa: KubeObject, secret: KubeObject): string;
  clock?: Clock;
  log?: (msg: string) => void;
}

export class TokensController extends Reconciler {
  readonly #o: TokensControllerOptions;
  readonly #secrets: SharedInformer;
  readonly #accounts: SharedInformer;

  constructor(opts: TokensControllerOptions) {
    super({ name: 'serviceaccount-token-controller', clock: opts.clock, log: opts.log });
    this.#o = opts;
    this.#secrets = opts.factory.informer(R.secrets);
    this.#accounts = opts.factory.informer(R.serviceaccounts);
    const onSecret = (s: KubeObject) => {
      if ((s as { type?: string }).type === SERVICE_ACCOUNT_TOKEN_TYPE) this.enqueue(`${s.metadata.namespace}/${s.metadata.name}`);
    };
    this.#secrets.addEventHandler({ onAdd: onSecret, onUpdate: (_o, s) => onSecret(s) });
    // An account's changes concern the token Secrets that name it.
    const onAccount = (sa: KubeObject) => {
      for (const s of this.#secrets.list()) {
        if (s.metadata.namespace === sa.metadata.namespace && s.metadata.annotations?.[SERVICE_ACCOUNT_NAME_KEY] === sa.metadata.name) onSecret(s);
      }
    };
    this.#accounts.addEventHandler({ onAdd: onAccount, onDelete: onAccount });
  }

  async sync(key: string): Promise<void> {
    const secret = this.#secrets.get(key);
    if (!secret || secret.metadata.deletionTimestamp || (secret as { type?: string }).type !== SERVICE_ACCOUNT_TOKEN_TYPE) return;
    const namespace = secret.metadata.namespace!;
    const ann = secret.metadata.annotations ?? {};
    const saName = ann[SERVICE_ACCOUNT_NAME_KEY];
    if (!saName) return;
    const sa = await this.#account(namespace, saName);
    if (!sa || (ann[SERVICE_ACCOUNT_UID_KEY] && ann[SERVICE_ACCOUNT_UID_KEY] !== sa.metadata.uid)) {
      await this.#delete(secret);
      return;
    }
    const data = { ...((secret.data as Record<string, string> | undefined) ?? {}) };
    const needs = !data.token || !data['ca.crt'] || !data.namespace || ann[SERVICE_ACCOUNT_UID_KEY] !== sa.metadata.uid;
    if (!needs) return;
    const next = structuredClone(secret) as KubeObject;
    next.metadata.annotations = { ...ann, [SERVICE_ACCOUNT_NAME_KEY]: saName, [SERVICE_ACCOUNT_UID_KEY]: sa.metadata.uid ?? '' };
    if (!data['ca.crt']) data['ca.crt'] = Buffer.from(this.#o.rootCA).toString('base64');
    if (!data.namespace) data.namespace = Buffer.from(namespace).toString('base64');
    if (!data.token) data.token = Buffer.from(this.#o.generateToken(sa, secret)).toString('base64');
    next.data = data;
    // Written against the cached resourceVersion: a conflict requeues and the next pass sees the newer Secret.
    await this.#o.client.update(R.secrets, next, { namespace, fieldManager: 'tokens-controller' });
  }

  /** account reads the ServiceAccount from the cache, and from the API on a miss (a Secret created right after its account). */
  async #account(namespace: string, name: string): Promise<KubeObject | undefined> {
    const cached = this.#accounts.get(`${namespace}/${name}`);
    if (cached) return cached;
    try {
      return await this.#o.client.get(R.serviceaccounts, name, { namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async #delete(secret: KubeObject): Promise<void> {
    try {
      await this.#o.client.delete(R.secrets, secret.metadata.name!, { namespace: secret.metadata.namespace, preconditions: { uid: secret.metadata.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
