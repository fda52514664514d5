// SPDX-License-Identifier: Apache-2.0
/**
 * The Node authorizer (upstream plugin/pkg/auth/authorizer/node): a kubelet
 * (`system:node:<name>` in `system:nodes`) may read a Secret, ConfigMap,
 * PVC or PV, or mint a service account token, only when one of the pods
 * bound to its node references it, get a VolumeAttachment only when it
 * names its node, and may touch only its own Lease and CSINode.
 * Everything else a node does is judged against the static node rules
 * (upstream's system:node role). A request it does not allow is left to the
 * next authorizer with a reason, which becomes the tail of the 403 message:
 * `no relationship found between node 'a' and this object`. With upstream's
 * AuthorizeNodeWithSelectors (beta, on by default since 1.32) a node reads
 * only its own Node, and lists and watches pods only with its own
 * spec.nodeName field selector.
 */
import type { AuthorizationAttributes, AuthorizationDecision, Authorizer } from '../authz.js';
import type { UserInfo } from '../registry/request-context.js';
import { ruleAllows, type PolicyRule } from './rbac-rules.js';
import type { GraphKind, NodeGraph } from './node-graph.js';

export const NODES_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';
const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/**
 * nodeIdentity is upstream's NodeIdentifier: undefined for a user that is not
 * a node, '' for a member of system:nodes whose name does not say which node.
 */
export function nodeIdentity(user: UserInfo): string | undefined {
  if (!user.groups.includes(NODES_GROUP)) return undefined;
  return user.name.startsWith(NODE_USER_PREFIX) ? user.name.slice(NODE_USER_PREFIX.length) : '';
}

const allow: AuthorizationDecision = { allowed: true };
const noOpinion = (reason?: string): AuthorizationDecision => ({ allowed: false, reason });
const READ = ['get', 'list', 'watch'];

/** NodeAuthorizer decides the requests of node identities. */
export class NodeAuthorizer implements Authorizer {
  readonly #graph: NodeGraph;
  readonly #rules: PolicyRule[];

  constructor(graph: NodeGraph, nodeRules: PolicyRule[]) {
    this.#graph = graph;
    this.#rules = nodeRules;
  }

  authorize(a: AuthorizationAttributes): AuthorizationDecision {
    const node = nodeIdentity(a.user);
    if (node === undefined) return noOpinion();
    if (!node) return noOpinion(`unknown node for user "${a.user.name}"`);
    if (a.resourceRequest) {
      const gr = `${a.group ?? ''}/${a.resource}`;
      switch (gr) {
        case '/secrets':
          return this.#readNamespaced(node, 'secret', a);
        case '/configmaps':
          return this.#readNamespaced(node, 'configmap', a);
        case '/persistentvolumeclaims':
          // A kubelet updates a claim's status when it expands a volume; anything else is a get.
          if (a.subresource === 'status') return this.#statusUpdate(node, 'persistentvolumeclaim', a);
          return this.#get(node, 'persistentvolumeclaim', a);
        case '/persistentvolumes':
          return this.#get(node, 'persistentvolume', a);
        case '/serviceaccounts':
          return this.#createToken(node, a);
        case 'coordination.k8s.io/leases':
          return this.#lease(node, a);
        case 'storage.k8s.io/volumeattachments':
          return this.#get(node, 'volumeattachment', a);
        case 'storage.k8s.io/csinodes':
          return this.#csiNode(node, a);
        case '/nodes':
          return this.#node(node, a);
        case '/pods':
          return this.#pod(node, a);
      }
    }
    // Other resources are not subdivided per node: the static node rules decide.
    return this.#rules.some((r) => ruleAllows(a, r)) ? allow : noOpinion();
  }

  /**
   * A node reads only its own Node object (upstream's authorizeNode): by
   * name, or listed/watched with `fieldSelector=metadata.name=<node>`, which
   * the request's attributes carry as the name. It may create, update and
   * patch Nodes and their status (NodeRestriction admission keeps it to its
   * own); anything else is no opinion.
   */
  #node(node: string, a: AuthorizationAttributes): AuthorizationDecision {
    if (!a.subresource) {
      if (['create', 'update', 'patch'].includes(a.verb)) return allow;
      if (READ.includes(a.verb)) {
        // The name is compared directly, not through the graph, so a kubelet can read its Node before creating it.
        if (a.name === node) return allow;
        if (!a.name) return noOpinion(`node '${node}' cannot read all nodes, only its own Node object`);
        return noOpinion(`node '${node}' cannot read '${a.name}', only its own Node object`);
      }
    } else if (a.subresource === 'status' && (a.verb === 'update' || a.verb === 'patch')) {
      return allow;
    }
    return noOpinion();
  }

  /**
   * A node reads only the pods bound to it (upstream's authorizePod): a get
   * of a related pod, or a list/watch with `fieldSelector=spec.nodeName=<node>`
   * (or naming one related pod). It creates and deletes mirror pods, writes
   * pod status and evicts pods (NodeRestriction admission keeps all of these
   * to its own pods); anything else is no opinion.
   */
  #pod(node: string, a: AuthorizationAttributes): AuthorizationDecision {
    switch (a.subresource ?? '') {
      case '':
        if (a.verb === 'get') return this.#get(node, 'pod', a);
        if (a.verb === 'list' || a.verb === 'watch') {
          if ((a.fieldSelector ?? []).some((r) => r.field === 'spec.nodeName' && r.operator === '=' && r.value === node)) return allow;
          if (a.name) return this.#related(node, 'pod', a);
          return noOpinion('can only list/watch pods with spec.nodeName field selector');
        }
        if (a.verb === 'create' || a.verb === 'delete') return allow;
        break;
      case 'status':
        if (a.verb === 'update' || a.verb === 'patch') return allow;
        break;
      case 'eviction':
        if (a.verb === 'create') return allow;
    }
    return noOpinion();
  }

  #readNamespaced(node: string, kind: GraphKind, a: AuthorizationAttributes): AuthorizationDecision {
    if (!READ.includes(a.verb)) return noOpinion('can only read resources of this type');
    if (a.subresource) return noOpinion('cannot read subresource');
    if (!a.namespace) return noOpinion('can only read namespaced object of this type');
    return this.#related(node, kind, a);
  }

  #get(node: string, kind: GraphKind, a: AuthorizationAttributes): AuthorizationDecision {
    if (a.verb !== 'get') return noOpinion('can only get individual resources of this type');
    if (a.subresource) return noOpinion('cannot get subresource');
    return this.#related(node, kind, a);
  }

  #statusUpdate(node: string, kind: GraphKind, a: AuthorizationAttributes): AuthorizationDecision {
    if (!['update', 'patch'].includes(a.verb)) return noOpinion('can only get/update/patch this type');
    if (a.subresource !== 'status') return noOpinion('can only update status subresource');
    return this.#related(node, kind, a);
  }

  #createToken(node: string, a: AuthorizationAttributes): AuthorizationDecision {
    if (a.verb !== 'create' || !a.name) return noOpinion('can only create tokens for individual service accounts');
    if (a.subresource !== 'token') return noOpinion('can only create token subresource of serviceaccount');
    return this.#related(node, 'serviceaccount', a);
  }

  #lease(node: string, a: AuthorizationAttributes): AuthorizationDecision {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) return noOpinion('can only get, create, update, patch, or delete a node lease');
    if (a.namespace !== NODE_LEASE_NAMESPACE) return noOpinion(`can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
    if (a.verb !== 'create' && a.name !== node) return noOpinion('can only access node lease with the same name as the requesting node');
    return allow;
  }

  /**
   * A node reads and writes only its own CSINode (upstream's authorizeCSINode).
   * A create carries no name here; NodeRestriction admission checks it.
   */
  #csiNode(node: string, a: AuthorizationAttributes): AuthorizationDecision {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) return noOpinion('can only get, create, update, patch, or delete a CSINode');
    if (a.subresource) return noOpinion('cannot authorize CSINode subresources');
    if (a.verb !== 'create' && a.name !== node) return noOpinion('can only access CSINode with the same name as the requesting node');
    return allow;
  }

  #related(node: string, kind: GraphKind, a: AuthorizationAttributes): AuthorizationDecision {
    // A list or watch of one object (fieldSelector metadata.name) carries its name; a whole collection has none.
    if (!a.name) return noOpinion('No Object name found');
    if (!this.#graph.hasPath(node, kind, a.namespace ?? '', a.name)) return noOpinion(`no relationship found between node '${node}' and this object`);
    return allow;
  }
}
