// SPDX-License-Identifier: Apache-2.0
/**
 * Tables of RoleBinding and ClusterRoleBinding: NAME ROLE AGE, wide USERS
 * GROUPS SERVICEACCOUNTS, as upstream's printRoleBinding. Roles and
 * ClusterRoles have no printer upstream and use the default table.
 */
import type { RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import { age, ageColumn, column, nameColumn, printer } from './columns.js';

function bindingColumns(what: string) {
  return [
    nameColumn(),
    column('Role', 'string', 'The role the binding grants, as Kind/name.'),
    ageColumn(),
    column('Users', 'string', `Users in the ${what}.`, 1),
    column('Groups', 'string', `Groups in the ${what}.`, 1),
    column('ServiceAccounts', 'string', `ServiceAccounts in the ${what}, as namespace/name.`, 1),
  ];
}

/** bindingRow renders one RoleBinding or ClusterRoleBinding (same shape). */
function bindingRow(b: RoleBinding, now: Date) {
  const { users, groups, serviceAccounts } = splitSubjects(b.subjects ?? []);
  return [
    b.metadata?.name ?? '',
    `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`,
    age(b, now),
    users.join(', '),
    groups.join(', '),
    serviceAccounts.join(', '),
  ];
}

/** splitSubjects sorts subjects by kind as upstream's rbac.SubjectsStrings (other kinds are not shown). */
function splitSubjects(subjects: Subject[]) {
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const s of subjects) {
    if (s.kind === 'ServiceAccount') serviceAccounts.push(`${s.namespace ?? ''}/${s.name}`);
    else if (s.kind === 'User') users.push(s.name);
    else if (s.kind === 'Group') groups.push(s.name);
  }
  return { users, groups, serviceAccounts };
}

/** roleBindingTableConvertor prints RoleBindings. */
export const roleBindingTableConvertor = printer<RoleBinding>(bindingColumns('roleBinding'), bindingRow);

/** clusterRoleBindingTableConvertor prints ClusterRoleBindings. */
export const clusterRoleBindingTableConvertor = printer<RoleBinding>(bindingColumns('clusterRoleBinding'), bindingRow);
