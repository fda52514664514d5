// SPDX-License-Identifier: Apache-2.0
/**
 * The RBAC authorizer (upstream plugin/pkg/auth/authorizer/rbac/rbac.go):
 * a request is allowed when a rule of a role bound to the user grants it.
 * ClusterRoleBindings apply everywhere; RoleBindings in the request's
 * namespace add their Role's or ClusterRole's rules there. RBAC only ever
 * allows; a denial carries the lookup errors met on the way (a binding to a
 * missing role) as its reason, as upstream does.
 */
import type { AuthorizationAttributes, AuthorizationDecision, Authorizer } from '../authz.js';
import type { UserInfo } from '../registry/request-context.js';
import { ruleAllows, subjectAppliesTo, type PolicyRule, type Subject } from './rbac-rules.js';

/** SUPERUSER_GROUP may do anything, whatever the bindings say (upstream's privileged-group authorizer). */
export const SUPERUSER_GROUP = 'system:masters';

/** RoleObject is the part of a Role or ClusterRole the authorizer reads. */
export interface RoleObject {
  metadata: { name?: string; namespace?: string };
  rules?: PolicyRule[] | null;
}

/** BindingObject is the part of a RoleBinding or ClusterRoleBinding the authorizer reads. */
export interface BindingObject {
  metadata: { name?: string; namespace?: string };
  roleRef: { kind: string; name: string; apiGroup?: string };
  subjects?: Subject[] | null;
}

/** RBACSource is where the authorizer reads policy from (informer caches in the server, arrays in tests). */
export interface RBACSource {
  clusterRole(name: string): RoleObject | undefined;
  role(namespace: string, name: string): RoleObject | undefined;
  clusterRoleBindings(): readonly BindingObject[];
  roleBindings(namespace: string): readonly BindingObject[];
}

/** RuleVisitor sees each applicable rule (or lookup error); returning false stops the walk. */
type RuleVisitor = (source: string, rule: PolicyRule | undefined, err: string | undefined) => boolean;

/** RBACAuthorizer decides requests from an RBACSource. */
export class RBACAuthorizer implements Authorizer {
  readonly #src: RBACSource;

  constructor(src: RBACSource) {
    this.#src = src;
  }

  authorize(a: AuthorizationAttributes): AuthorizationDecision {
    if (a.user.groups.includes(SUPERUSER_GROUP)) return { allowed: true };
    const errors: string[] = [];
    let allowedBy: string | undefined;
    this.#visit(a.user, a.namespace, (source, rule, err) => {
      if (err) errors.push(err);
      if (rule && ruleAllows(a, rule)) {
        allowedBy = source;
        return false;
      }
      return true;
    });
    if (allowedBy) return { allowed: true, reason: `RBAC: allowed by ${allowedBy}` };
    return { allowed: false, reason: errors.length ? `RBAC: ${aggregate(errors)}` : undefined };
  }

  /**
   * rulesFor lists every rule that applies to the user in the namespace (cluster
   * bindings included), with lookup errors: SelfSubjectRulesReview's answer.
   */
  rulesFor(user: UserInfo, namespace: string | undefined): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    this.#visit(user, namespace, (_s, rule, err) => {
      if (rule) rules.push(rule);
      if (err) errors.push(err);
      return true;
    });
    return { rules, errors };
  }

  #visit(user: UserInfo, namespace: string | undefined, visit: RuleVisitor): void {
    for (const b of this.#src.clusterRoleBindings()) {
      if (!appliesTo(user, b, '')) continue;
      if (!this.#visitRole(b, '', `ClusterRoleBinding "${b.metadata.name}"`, user, visit)) return;
    }
    if (!namespace) return;
    for (const b of this.#src.roleBindings(namespace)) {
      if (!appliesTo(user, b, namespace)) continue;
      if (!this.#visitRole(b, namespace, `RoleBinding "${b.metadata.name}/${namespace}"`, user, visit)) return;
    }
  }

  #visitRole(b: BindingObject, namespace: string, bindingText: string, user: UserInfo, visit: RuleVisitor): boolean {
    const ref = b.roleRef;
    const role = ref.kind === 'ClusterRole' ? this.#src.clusterRole(ref.name) : ref.kind === 'Role' && namespace ? this.#src.role(namespace, ref.name) : undefined;
    if (!role) return visit(bindingText, undefined, `${ref.kind.toLowerCase()}.rbac.authorization.k8s.io "${ref.name}" not found`);
    const source = `${bindingText} of ${ref.kind} "${ref.name}" to ${subjectText(user, b, namespace)}`;
    for (const rule of role.rules ?? []) if (!visit(source, rule, undefined)) return false;
    return true;
  }
}

function appliesTo(user: UserInfo, b: BindingObject, namespace: string): boolean {
  return (b.subjects ?? []).some((s) => subjectAppliesTo(user, s, namespace));
}

/** subjectText names the subject that matched, for the "allowed by" reason. */
function subjectText(user: UserInfo, b: BindingObject, namespace: string): string {
  const s = (b.subjects ?? []).find((x) => subjectAppliesTo(user, x, namespace));
  if (!s) return '';
  return s.kind === 'ServiceAccount' ? `ServiceAccount "${s.name}/${s.namespace || namespace}"` : `${s.kind} "${s.name}"`;
}

/** aggregate joins errors as utilerrors.NewAggregate prints them. */
function aggregate(errors: string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}
