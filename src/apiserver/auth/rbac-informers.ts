// SPDX-License-Identifier: Apache-2.0
/**
 * RBAC policy read from shared informers: the authorizer's RBACSource in
 * the server. Lookups are cache reads, so authorizing costs no storage round
 * trip; the caches follow every change through their watches.
 */
import type { KubeObject } from '../../api/index.js';
import type { ResourceRef } from '../../client/index.js';
import type { InformerFactory, SharedInformer } from '../../client/index.js';
import type { BindingObject, RBACSource, RoleObject } from './rbac-authorizer.js';

const RBAC = 'rbac.authorization.k8s.io';
/** RBAC_REFS are the four RBAC resources. */
export const RBAC_REFS = {
  roles: { group: RBAC, version: 'v1', resource: 'roles' },
  roleBindings: { group: RBAC, version: 'v1', resource: 'rolebindings' },
  clusterRoles: { group: RBAC, version: 'v1', resource: 'clusterroles' },
  clusterRoleBindings: { group: RBAC, version: 'v1', resource: 'clusterrolebindings' },
} as const satisfies Record<string, ResourceRef>;

type RoleLike = KubeObject & RoleObject;
type BindingLike = KubeObject & BindingObject;

/** InformerRBACSource answers RBACSource queries from four informers of one factory. */
export class InformerRBACSource implements RBACSource {
  readonly roleInformer: SharedInformer<RoleLike>;
  readonly roleBindingInformer: SharedInformer<BindingLike>;
  readonly clusterRoleInformer: SharedInformer<RoleLike>;
  readonly clusterRoleBindingInformer: SharedInformer<BindingLike>;

  constructor(factory: InformerFactory) {
    this.roleInformer = factory.informer<RoleLike>(RBAC_REFS.roles);
    this.roleBindingInformer = factory.informer<BindingLike>(RBAC_REFS.roleBindings);
    this.clusterRoleInformer = factory.informer<RoleLike>(RBAC_REFS.clusterRoles);
    this.clusterRoleBindingInformer = factory.informer<BindingLike>(RBAC_REFS.clusterRoleBindings);
  }

  clusterRole(name: string): RoleObject | undefined {
    return this.clusterRoleInformer.get(name);
  }

  role(namespace: string, name: string): RoleObject | undefined {
    return this.roleInformer.get(`${namespace}/${name}`);
  }

  clusterRoleBindings(): readonly BindingObject[] {
    return this.clusterRoleBindingInformer.list();
  }

  roleBindings(namespace: string): readonly BindingObject[] {
    return this.roleBindingInformer.listNamespace(namespace);
  }
}
