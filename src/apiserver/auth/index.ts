// SPDX-License-Identifier: Apache-2.0
/**
 * Authentication and authorization beyond client certificates: bound
 * service account tokens (issued by `serviceaccounts/<name>/token`,
 * accepted as bearer tokens), the RBAC authorizer with upstream's default
 * policy and ClusterRole aggregation, and the review APIs kubectl's `auth`
 * commands use. `installAuth` wires it all into an APIServer; the returned
 * component turns RBAC on once its caches have synced.
 */
import type { APIServer } from '../server.js';
import type { KubeObject } from '../../api/index.js';
import type { Client } from '../../client/index.js';
import { InformerFactory } from '../../client/index.js';
import { addSubresourceCreateHandler } from '../subresources/index.js';
import type { Component } from '../../machinery/index.js';
import type { SharedInformer } from '../../client/index.js';
import { ensureBootstrapPolicy } from './bootstrap-policy.js';
import { RBACAuthorizer } from './rbac-authorizer.js';
import { InformerRBACSource } from './rbac-informers.js';
import { authenticationExtension, authorizationExtension } from './review-apis.js';
import { DEFAULT_ISSUER } from './service-account-claims.js';
import { TokenIssuer } from './service-account-tokens.js';
import { loadOrCreateSigningKey, serviceAccountKeyPath } from './signing-key.js';
import { LegacyTokenAuthenticator } from './legacy-service-account-tokens.js';
import { BootstrapTokenAuthenticator } from './bootstrap-token-authenticator.js';
import { BOOTSTRAP_TOKEN_NAMESPACE } from '../../api/index.js';
import { NodeAuthorizer } from './node-authorizer.js';
import { NodeGraph } from './node-graph.js';
import { nodeRules } from './bootstrap-policy.js';
import { unionAuthorizer, type Authorizer } from '../authz.js';
import { R } from '../../client/index.js';
import { restrictNodeTokenRequest } from './node-token-restriction.js';
import { isNotFound } from '../../machinery/index.js';

export { impersonate } from './impersonation.js';
import { impersonate } from './impersonation.js';
export { RBACAuthorizer, SUPERUSER_GROUP, type RBACSource } from './rbac-authorizer.js';
export { TokenIssuer } from './service-account-tokens.js';
export { legacyToken, LegacyTokenAuthenticator, LEGACY_ISSUER } from './legacy-service-account-tokens.js';
export { loadOrCreateSigningKey, serviceAccountKeyPath } from './signing-key.js';
export { DEFAULT_ISSUER, serviceAccountUsername } from './service-account-claims.js';
export { NodeAuthorizer, nodeIdentity, NODES_GROUP, NODE_USER_PREFIX } from './node-authorizer.js';
export { NodeGraph, podReferences, type NodeGraphSource } from './node-graph.js';
export { BootstrapTokenAuthenticator, type BootstrapTokenOptions } from './bootstrap-token-authenticator.js';

const POD_NODE_INDEX = 'spec.nodeName';

/** AuthOptions configure installAuth. */
export interface AuthOptions {
  /** dataDir holds the signing key (`tls/service-account.key`). */
  dataDir: string;
  /** issuer is the `iss` of service account tokens and the API's audience (default https://kubernetes.default.svc.cluster.local). */
  issuer?: string;
  log?: (m: string) => void;
  /**
   * aggregation runs ClusterRole aggregation over the RBAC cache (the
   * controller lives in controllers/; the server injects it so RBAC is
   * enforced only once aggregated roles are filled).
   */
  aggregation: (roles: SharedInformer<KubeObject>) => RoleAggregation;
}

/** RoleAggregation is the ClusterRole aggregation controller as installAuth drives it. */
export interface RoleAggregation {
  run(signal: AbortSignal, workers: number): Promise<unknown>;
  /** settled tells whether every aggregated role in the cache already has its aggregated rules. */
  settled(): boolean;
}

/**
 * installAuth registers the service account token authenticator, the
 * `serviceaccounts/token` subresource and the review APIs on `server` now,
 * and returns the component that creates the default policy, syncs the
 * RBAC caches and then makes RBAC the server's authorizer.
 */
export function installAuth(server: APIServer, client: Client, opts: AuthOptions): Component & { authorizer: Authorizer } {
  const log = opts.log;
  const issuer = opts.issuer ?? DEFAULT_ISSUER;
  const key = loadOrCreateSigningKey(serviceAccountKeyPath(opts.dataDir));
  const tokens = new TokenIssuer({ key, issuer, apiAudiences: [issuer], client });
  server.addTokenAuthenticator(tokens);
  server.addTokenAuthenticator(new LegacyTokenAuthenticator(key, client));
  server.addTokenAuthenticator(new BootstrapTokenAuthenticator({
    getSecret: (name) => client.get(R.secrets, name, { namespace: BOOTSTRAP_TOKEN_NAMESPACE }).catch((err) => {
      if (isNotFound(err)) return undefined;
      throw err;
    }),
    log,
  }));
  server.setImpersonator(impersonate);
  addSubresourceCreateHandler(server.registry, '', 'serviceaccounts', 'token', async (ctx, name, body, reg) => {
    // NodeRestriction admits (or refuses) before the token storage reads the account, as upstream's chain runs first.
    await restrictNodeTokenRequest(ctx.user, ctx.namespace ?? '', name, body, (ns, pod) => client.get(R.pods, pod, { namespace: ns }));
    return tokens.createToken(ctx, name, body, await reg.get(ctx, name));
  });

  const factory = new InformerFactory(client, { log });
  const source = new InformerRBACSource(factory);
  const rbac = new RBACAuthorizer(source);
  // The Node authorizer reads pods by the node they are bound to, claims for the PVs they use, and volume attachments.
  const pods = factory.informer(R.pods);
  pods.addIndexer(POD_NODE_INDEX, (p) => [(p.spec as { nodeName?: string } | undefined)?.nodeName ?? '']);
  const claims = factory.informer(R.persistentvolumeclaims);
  const attachments = factory.informer(R.volumeattachments);
  const graph = new NodeGraph({
    podsOnNode: (node) => pods.byIndex(POD_NODE_INDEX, node),
    claim: (ns, name) => claims.get(`${ns}/${name}`),
    volumeAttachment: (name) => attachments.get(name),
  });
  // --authorization-mode=Node,RBAC, as kubeadm and k3s configure it.
  const authorizer = unionAuthorizer(new NodeAuthorizer(graph, nodeRules()), rbac);
  const aggregator = opts.aggregation(source.clusterRoleInformer);
  server.addExtension(authenticationExtension(tokens));
  server.addExtension(authorizationExtension(authorizer, rbac));

  const abort = new AbortController();
  let running: Promise<unknown> | undefined;
  return {
    name: 'rbac',
    authorizer,
    async start(signal: AbortSignal) {
      signal.addEventListener('abort', () => abort.abort(), { once: true });
      const created = await ensureBootstrapPolicy(client);
      if (created.length) log?.(`rbac: created default policy (${created.length} objects)`);
      factory.start(abort.signal);
      if (!(await factory.waitForSync(abort.signal))) return;
      running = aggregator.run(abort.signal, 1);
      // Let admin/edit/view fill (aggregation chains: view into edit into admin) before enforcing, so no
      // request is judged against an empty aggregated role.
      for (let i = 0; i < 250 && !aggregator.settled() && !abort.signal.aborted; i++) await new Promise((r) => setTimeout(r, 20));
      server.setAuthorizer(authorizer);
    },
    async stop() {
      abort.abort();
      await running;
      await factory.stopped();
    },
  };
}
