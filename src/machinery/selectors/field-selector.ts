// SPDX-License-Identifier: Apache-2.0
/**
 * Field selectors (`fieldSelector=spec.nodeName=node-1,status.phase!=Running`),
 * parsed, escaped and matched as apimachinery pkg/fields does, and checked
 * against the labels each kind supports as the list handler does before it
 * reads storage (ConvertFieldLabel → 400 BadRequest).
 */
import { newBadRequest } from '../errors.js';
import { fieldValue, selectableKind } from './selectable-fields.js';

/** FieldRequirement is one ANDed term: `field=value` (also written `==`) or `field!=value`. */
export interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

/** ParsedFieldSelector is a field selector ready for matching; `nothing` matches no object. */
export interface ParsedFieldSelector {
  readonly requirements: readonly FieldRequirement[];
  readonly nothing?: boolean;
}

const EVERYTHING: ParsedFieldSelector = Object.freeze({ requirements: Object.freeze([]) });

/** everythingFieldSelector matches every object. */
export function everythingFieldSelector(): ParsedFieldSelector {
  return EVERYTHING;
}

/** escapeFieldValue escapes `\`, `,` and `=` in a value so it can be written into a selector string. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** unescapeFieldValue reverses escapeFieldValue; an unknown escape or an unescaped `,`/`=` is an error, as upstream. */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw newBadRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Go prints the rune with %v, i.e. as its code point number.
      throw newBadRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw newBadRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** splitTerms splits on commas not escaped by a backslash. */
function splitTerms(selector: string): string[] {
  if (selector === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** splitTerm finds the first operator, trying `!=` then `==` then `=` at each position. */
function splitTerm(term: string): FieldRequirement | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) {
        return { field: term.slice(0, i), operator: op === '!=' ? '!=' : '=', value: term.slice(i + op.length) };
      }
    }
  }
  return undefined;
}

/**
 * parseFieldSelector parses the string form; an empty string selects
 * everything. Terms are sorted, as upstream sorts them before parsing.
 * Malformed selectors are 400 BadRequest with upstream's message.
 */
export function parseFieldSelector(selector: string): ParsedFieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const part of splitTerms(selector).sort()) {
    if (part === '') continue;
    const term = splitTerm(part);
    if (!term) throw newBadRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    requirements.push({ ...term, value: unescapeFieldValue(term.value) });
  }
  return { requirements };
}

/**
 * validateFieldSelector checks every field against what the kind supports and
 * returns the selector with old spellings converted (pods: `spec.host` →
 * `spec.nodeName`). An unsupported field is a 400 with upstream's wording for
 * that kind, e.g. `field label not supported: spec.foo` for pods or
 * `"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"`.
 */
export function validateFieldSelector(selector: ParsedFieldSelector, group: string, kind: string, extraFields: readonly string[] = []): ParsedFieldSelector {
  const k = selectableKind(group, kind);
  const requirements = selector.requirements.map((r) => {
    const field = k.aliases?.[r.field] ?? r.field;
    if (!Object.prototype.hasOwnProperty.call(k.fields, field) && !extraFields.includes(field)) {
      // Custom resources list their selectableFields after the metadata ones (apiextensions GetAttrs).
      if (extraFields.length) {
        const known = [...Object.keys(k.fields), ...extraFields].map((f) => JSON.stringify(f)).join(', ');
        throw newBadRequest(`${JSON.stringify(r.field)} is not a known field selector: only ${known}`);
      }
      throw newBadRequest(k.unsupported(r.field, kind));
    }
    return field === r.field ? r : { ...r, field };
  });
  return { ...selector, requirements };
}

/** GroupKind names the kind whose field values an object is read with. */
export interface GroupKind {
  group: string;
  kind: string;
}

/** groupKindOf derives the group and kind from an object's apiVersion and kind. */
export function groupKindOf(obj: { apiVersion?: unknown; kind?: unknown }): GroupKind {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const slash = apiVersion.indexOf('/');
  return { group: slash < 0 ? '' : apiVersion.slice(0, slash), kind: typeof obj.kind === 'string' ? obj.kind : '' };
}

/**
 * matchesFields tells whether an object satisfies every requirement. Values
 * are read with the kind's GetAttrs rules (gk, or the object's own apiVersion
 * and kind), so e.g. a Job's `status.successful` reads `status.succeeded`.
 */
export function matchesFields(selector: ParsedFieldSelector, obj: Record<string, unknown>, gk: GroupKind = groupKindOf(obj)): boolean {
  if (selector.nothing) return false;
  return selector.requirements.every((r) => (fieldValue(gk.group, gk.kind, obj, r.field) === r.value) === (r.operator === '='));
}

/** exactFieldValue returns the value a selector requires a field to equal (`metadata.name=x`), if any, to narrow a lookup. */
export function exactFieldValue(selector: ParsedFieldSelector, field: string): string | undefined {
  return selector.requirements.find((r) => r.field === field && r.operator === '=')?.value;
}

/** fieldSelectorToString renders the canonical string form, values escaped. */
export function fieldSelectorToString(selector: ParsedFieldSelector): string {
  return selector.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
}
