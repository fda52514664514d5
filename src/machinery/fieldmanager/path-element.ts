// SPDX-License-Identifier: Apache-2.0
/**
 * Path elements of a field set, in the two spellings upstream's
 * structured-merge-diff uses: the FieldsV1 keys stored in managedFields
 * (`f:name`, `k:{"name":"c"}`, `v:"x"`, `i:0`; fieldpath/serialize-pe.go) and
 * the path strings of conflict messages (`.name`, `[name="c"]`, `[="x"]`,
 * `[0]`; fieldpath/element.go). Elements are kept in their FieldsV1 spelling,
 * which is also their identity.
 */

/** fieldElement is the element of a struct or map field. */
export function fieldElement(name: string): string {
  return `f:${name}`;
}

/**
 * keyElement is the element of an associative-list item: its key fields as a
 * JSON object with the names sorted, as upstream's KeyByFields sorts them.
 */
export function keyElement(key: Record<string, unknown>): string {
  const names = Object.keys(key);
  // Most list-map keys are one field (a container's name, a port's number): its JSON object is written directly.
  if (names.length === 1 && key[names[0]] !== undefined) return `k:{${JSON.stringify(names[0])}:${JSON.stringify(key[names[0]])}}`;
  const sorted: Record<string, unknown> = {};
  for (const name of Object.keys(key).sort()) sorted[name] = key[name];
  return `k:${JSON.stringify(sorted)}`;
}

/** valueElement is the element of a set-list item: the value itself as JSON. */
export function valueElement(value: unknown): string {
  return `v:${JSON.stringify(value)}`;
}

/** indexElement is the element of an item of a list without keys (untyped lists). */
export function indexElement(i: number): string {
  return `i:${i}`;
}

/** Element order of upstream's PathElement.Compare: fields, then keys, then values, then indexes. */
const RANK: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** compareElements orders elements as upstream serializes and iterates them. */
export function compareElements(a: string, b: string): number {
  const ra = RANK[a[0]] ?? 4;
  const rb = RANK[b[0]] ?? 4;
  if (ra !== rb) return ra - rb;
  if (a[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** valueString renders a scalar as upstream's value.ToString does inside path strings (strings quoted). */
function valueString(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** elementString renders one element in upstream's path-string form. */
export function elementString(pe: string): string {
  const body = pe.slice(2);
  switch (pe[0]) {
    case 'f':
      return `.${body}`;
    case 'k': {
      const key = JSON.parse(body) as Record<string, unknown>;
      return `[${Object.keys(key).map((k) => `${k}=${valueString(key[k])}`).join(',')}]`;
    }
    case 'v':
      return `[=${valueString(JSON.parse(body))}]`;
    case 'i':
      return `[${body}]`;
    default:
      return pe;
  }
}

/** pathString renders a path (`.spec.template.spec.containers[name="app"].image`) for messages. */
export function pathString(path: readonly string[]): string {
  return path.map(elementString).join('');
}

/** isPathElement tells whether a FieldsV1 key is a well-formed element (anything else fails decoding, as upstream). */
export function isPathElement(key: string): boolean {
  if (key.length < 2 || key[1] !== ':') return false;
  const body = key.slice(2);
  switch (key[0]) {
    case 'f':
      return true;
    case 'i':
      return /^\d+$/.test(body);
    case 'k':
    case 'v':
      try {
        const parsed: unknown = JSON.parse(body);
        return key[0] === 'v' || (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed));
      } catch {
        return false;
      }
    default:
      return false;
  }
}
