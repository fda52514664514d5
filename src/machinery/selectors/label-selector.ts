// SPDX-License-Identifier: Apache-2.0
/**
 * Label selectors: the `labelSelector` query string of list and watch, and
 * the `metav1.LabelSelector` objects of Deployments, Services' controllers,
 * PodDisruptionBudgets and the like, converted to one form and matched
 * against an object's labels, as apimachinery pkg/labels and
 * metav1.LabelSelectorAsSelector do.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { newBadRequest } from '../errors.js';
import { LabelSelectorError, newRequirement, requirementMatches, requirementString, type LabelOperator, type LabelRequirement } from './label-requirement.js';
import { parseLabelRequirements } from './label-selector-parser.js';

/**
 * ParsedLabelSelector is a selector ready for matching: the AND of its
 * requirements, sorted by key. `nothing` marks upstream's labels.Nothing(),
 * the selector a null LabelSelector converts to.
 */
export interface ParsedLabelSelector {
  readonly requirements: readonly LabelRequirement[];
  readonly nothing?: boolean;
}

const EVERYTHING: ParsedLabelSelector = Object.freeze({ requirements: Object.freeze([]) });
const NOTHING: ParsedLabelSelector = Object.freeze({ requirements: Object.freeze([]), nothing: true });

/** everythingLabelSelector matches every object (the empty selector). */
export function everythingLabelSelector(): ParsedLabelSelector {
  return EVERYTHING;
}

/** nothingLabelSelector matches no object. */
export function nothingLabelSelector(): ParsedLabelSelector {
  return NOTHING;
}

/**
 * parseLabelSelector parses the string form (`a=b,c!=d,e in (x,y),f notin (z),g,!h`).
 * An empty string selects everything. Syntax errors are 400 BadRequest with
 * upstream's message (`unable to parse requirement: ...`, `found ',', expected: ...`).
 */
export function parseLabelSelector(selector: string): ParsedLabelSelector {
  try {
    return { requirements: parseLabelRequirements(selector) };
  } catch (err) {
    throw toBadRequest(err);
  }
}

function toBadRequest(err: unknown): unknown {
  return err instanceof LabelSelectorError ? newBadRequest(err.message) : err;
}

const OPERATORS: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * fromLabelSelector converts a metav1.LabelSelector object: null or undefined
 * selects nothing, an empty object everything, otherwise matchLabels and
 * matchExpressions (In, NotIn, Exists, DoesNotExist) are ANDed. Invalid
 * selectors are 400 BadRequest with upstream's message.
 */
export function fromLabelSelector(sel: LabelSelector | null | undefined): ParsedLabelSelector {
  if (sel === null || sel === undefined) return NOTHING;
  const matchLabels = Object.entries(sel.matchLabels ?? {});
  const expressions = sel.matchExpressions ?? [];
  if (matchLabels.length + expressions.length === 0) return EVERYTHING;
  try {
    const reqs = matchLabels.map(([k, v]) => newRequirement(k, '=', [v]));
    for (const expr of expressions) {
      const op = OPERATORS[expr.operator];
      if (!op) throw new LabelSelectorError(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
      reqs.push(newRequirement(expr.key, op, expr.values ?? []));
    }
    return { requirements: sortByKey(reqs) };
  } catch (err) {
    throw toBadRequest(err);
  }
}

/** selectorFromSet builds the selector that matches exactly the given labels (`k1=v1,k2=v2`), without validating them. */
export function selectorFromSet(set: Readonly<Record<string, string>> | null | undefined): ParsedLabelSelector {
  const entries = Object.entries(set ?? {});
  if (entries.length === 0) return EVERYTHING;
  return { requirements: sortByKey(entries.map(([key, value]) => ({ key, operator: '=' as const, values: [value] }))) };
}

function sortByKey(reqs: LabelRequirement[]): LabelRequirement[] {
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** matchesLabels tells whether labels (absent means none) satisfy every requirement of the selector. */
export function matchesLabels(selector: ParsedLabelSelector, labels: Readonly<Record<string, string>> | null | undefined): boolean {
  if (selector.nothing) return false;
  const set = labels ?? {};
  return selector.requirements.every((r) => requirementMatches(r, set));
}

/** isEverything tells whether a selector (label or field) places no restriction (upstream's Empty()). */
export function isEverything(selector: { readonly requirements: readonly unknown[]; readonly nothing?: boolean }): boolean {
  return !selector.nothing && selector.requirements.length === 0;
}

/** labelSelectorToString renders the canonical string form: requirements sorted by key, values sorted. */
export function labelSelectorToString(selector: ParsedLabelSelector): string {
  return selector.requirements.map(requirementString).join(',');
}

