// SPDX-License-Identifier: Apache-2.0
/**
 * Name acceptance of a CRD, as upstream's NamingConditionController: the
 * plural, singular, kind, listKind and short names must not be taken by
 * another resource of the same group (or, for short names, by any served
 * resource, since kubectl resolves them across groups). Conflicts set
 * NamesAccepted=False with upstream's reasons and messages.
 */
import type { DefinitionRegistry } from '../definitions/index.js';
import type { CustomResourceDefinition } from './types.js';

export interface NamesDecision {
  accepted: boolean;
  reason: string;
  message: string;
}

/** acceptNames checks a CRD's names against everything else served. */
export function acceptNames(crd: CustomResourceDefinition, defs: DefinitionRegistry): NamesDecision {
  const { group, names } = crd.spec;
  const others = defs.all().filter((d) => !(d.info.group === group && d.info.plural === names.plural && d.info.kind === names.kind));
  const sameGroup = others.filter((d) => d.info.group === group);
  const taken = (v: string | undefined, pick: (i: (typeof others)[number]['info']) => string[]): boolean => !!v && sameGroup.some((d) => pick(d.info).includes(v));
  if (taken(names.plural, (i) => [i.plural, i.singular])) return conflict('PluralConflict', `"${names.plural}" is already in use`);
  if (taken(names.singular, (i) => [i.plural, i.singular])) return conflict('SingularConflict', `"${names.singular}" is already in use`);
  for (const s of names.shortNames ?? []) {
    if (others.some((d) => d.info.shortNames?.includes(s) || (d.info.group === group && d.info.plural === s))) {
      return conflict('ShortNamesConflict', `"${s}" is already in use`);
    }
  }
  if (taken(names.kind, (i) => [i.kind])) return conflict('KindConflict', `"${names.kind}" is already in use`);
  const listKind = names.listKind ?? `${names.kind}List`;
  if (taken(listKind, (i) => [`${i.kind}List`])) return conflict('ListKindConflict', `"${listKind}" is already in use`);
  return { accepted: true, reason: 'NoConflicts', message: 'no conflicts found' };
}

function conflict(reason: string, message: string): NamesDecision {
  return { accepted: false, reason, message };
}
