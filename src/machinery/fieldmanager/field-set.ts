// SPDX-License-Identifier: Apache-2.0
/**
 * FieldSet is a set of field paths stored as a trie, upstream's
 * fieldpath.Set: `members` are the elements that are themselves in the set,
 * `children` the elements under which deeper paths are. Its FieldsV1 form is
 * the JSON object kept in managedFields: one key per element, `{}` for a
 * member without children, and a `.` entry for an element that is both a
 * member and a parent (fieldpath/serialize.go).
 */
import { compareElements, isPathElement } from './path-element.js';

/**
 * sortElements sorts in upstream's element order, and `along` (values
 * paired with the elements by index) with them. Most sets hold field names
 * only, which compareElements orders as plain strings: those are sorted
 * without calling back per comparison.
 */
export function sortElements(elements: string[], along?: unknown[]): string[] {
  const n = elements.length;
  if (n < 2) return elements;
  let fields = true;
  for (const pe of elements) if (pe.charCodeAt(0) !== 0x66 /* f */) fields = false;
  if (fields && n <= 16) {
    // A struct's few fields: an insertion sort by plain string order, without a call per comparison.
    for (let i = 1; i < n; i++) {
      const pe = elements[i];
      const v = along?.[i];
      let j = i - 1;
      for (; j >= 0 && elements[j] > pe; j--) {
        elements[j + 1] = elements[j];
        if (along) along[j + 1] = along[j];
      }
      elements[j + 1] = pe;
      if (along) along[j + 1] = v;
    }
    return elements;
  }
  if (!along) return fields ? elements.sort() : elements.sort(compareElements);
  const order = elements.map((_, i) => i).sort((a, b) => compareElements(elements[a], elements[b]));
  const pes = order.map((i) => elements[i]);
  const values = order.map((i) => along[i]);
  for (let i = 0; i < n; i++) {
    elements[i] = pes[i];
    along[i] = values[i];
  }
  return elements;
}

/** FieldsV1 is the JSON form of a field set. */
export type FieldsV1 = { [element: string]: FieldsV1 };

const NO_MEMBERS: ReadonlySet<string> = new Set();
const NO_CHILDREN: ReadonlyMap<string, FieldSet> = new Map();

export class FieldSet {
  // Allocated on first use: most trie nodes have members or children, not
  // both, and a write builds several sets of a few dozen nodes each.
  #members: Set<string> | undefined;
  #children: Map<string, FieldSet> | undefined;

  /** members are the elements that are themselves in the set. */
  get members(): ReadonlySet<string> {
    return this.#members ?? NO_MEMBERS;
  }

  /** children are the subsets under elements. */
  get children(): ReadonlyMap<string, FieldSet> {
    return this.#children ?? NO_CHILDREN;
  }

  #addMember(pe: string): void {
    (this.#members ??= new Set()).add(pe);
  }

  #setChild(pe: string, c: FieldSet): void {
    (this.#children ??= new Map()).set(pe, c);
  }

  /** insert adds a path (a list of elements) to the set. */
  insert(path: readonly string[]): void {
    if (path.length === 0) return;
    let set: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) set = set.child(path[i]);
    set.#addMember(path[path.length - 1]);
  }

  /** add makes an element a member (insert of a one-element path). */
  add(pe: string): void {
    this.#addMember(pe);
  }

  /** at returns the subset under a path, creating the nodes on the way (insert of the path's members goes there). */
  at(path: readonly string[]): FieldSet {
    let set: FieldSet = this;
    for (let i = 0; i < path.length; i++) set = set.child(path[i]);
    return set;
  }

  /** child returns the subset under an element, creating it. */
  child(pe: string): FieldSet {
    let c = this.#children?.get(pe);
    if (!c) this.#setChild(pe, (c = new FieldSet()));
    return c;
  }

  /** has tells whether a path is a member. */
  has(path: readonly string[]): boolean {
    let set: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && set; i++) set = set.#children?.get(path[i]);
    return !!set && set.members.has(path[path.length - 1]);
  }

  /** hasPrefix tells whether a path or anything under it is in the set. */
  hasPrefix(path: readonly string[]): boolean {
    let set: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && set; i++) set = set.#children?.get(path[i]);
    if (!set) return false;
    const last = path[path.length - 1];
    return set.members.has(last) || (set.#children?.get(last)?.isEmpty() === false);
  }

  isEmpty(): boolean {
    if (this.#members && this.#members.size > 0) return false;
    if (this.#children) for (const c of this.#children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  union(other: FieldSet): FieldSet {
    const out = this.clone();
    out.#addAll(other);
    return out;
  }

  #addAll(other: FieldSet): void {
    for (const m of other.members) this.#addMember(m);
    for (const [pe, c] of other.children) this.child(pe).#addAll(c);
  }

  /** difference keeps the members of this set that `other` does not have, element by element (Set.Difference). */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (!other.members.has(m)) out.#addMember(m);
    for (const [pe, c] of this.children) {
      const o = other.children.get(pe);
      const d = o ? c.difference(o) : c.clone();
      if (!d.isEmpty()) out.#setChild(pe, d);
    }
    return out;
  }

  /** recursiveDifference also drops everything under a member of `other` (Set.RecursiveDifference). */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (!other.members.has(m)) out.#addMember(m);
    for (const [pe, c] of this.children) {
      if (other.members.has(pe)) continue;
      const o = other.children.get(pe);
      const d = o ? c.recursiveDifference(o) : c.clone();
      if (!d.isEmpty()) out.#setChild(pe, d);
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (other.members.has(m)) out.#addMember(m);
    for (const [pe, c] of this.children) {
      const o = other.children.get(pe);
      if (!o) continue;
      const i = c.intersection(o);
      if (!i.isEmpty()) out.#setChild(pe, i);
    }
    return out;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    if (this.#members) out.#members = new Set(this.#members);
    for (const [pe, c] of this.children) out.#setChild(pe, c.clone());
    return out;
  }

  equals(other: FieldSet): boolean {
    return JSON.stringify(this.toFieldsV1()) === JSON.stringify(other.toFieldsV1());
  }

  /** paths lists the member paths in upstream's iteration order (element order, parents before children). */
  paths(prefix: string[] = [], out: string[][] = []): string[][] {
    for (const pe of this.#elements()) {
      if (this.members.has(pe)) out.push([...prefix, pe]);
      this.children.get(pe)?.paths([...prefix, pe], out);
    }
    return out;
  }

  #elements(): string[] {
    const all = new Set<string>(this.members);
    for (const [pe, c] of this.children) if (!c.isEmpty()) all.add(pe);
    return sortElements([...all]);
  }

  /** toFieldsV1 is the managedFields form, elements in upstream's order with `.` first. */
  toFieldsV1(): FieldsV1 {
    return this.#encode(false) ?? {};
  }

  /**
   * encode writes the set in one pass, children first: a child that encodes
   * to nothing is empty, so no subtree is asked isEmpty() on the way down
   * (which made encoding quadratic in the depth). Undefined when empty;
   * `dot` starts the object with the `.` of an element that is both a member
   * and a parent.
   */
  #encode(dot: boolean): FieldsV1 | undefined {
    const members = this.#members;
    const elements: string[] = members ? [...members] : [];
    let encoded: Map<string, FieldsV1> | undefined;
    if (this.#children) {
      for (const [pe, c] of this.#children) {
        const member = members?.has(pe) ?? false;
        const inner = c.#encode(member);
        if (!inner) continue;
        (encoded ??= new Map()).set(pe, inner);
        if (!member) elements.push(pe);
      }
    }
    if (elements.length === 0) return undefined;
    sortElements(elements);
    const out: FieldsV1 = dot ? { '.': {} } : {};
    for (const pe of elements) out[pe] = encoded?.get(pe) ?? {};
    return out;
  }

  /** fromFieldsV1 decodes a managedFields entry's fieldsV1; it throws on anything upstream would not decode. */
  static fromFieldsV1(json: unknown): FieldSet {
    const out = new FieldSet();
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('expected an object');
    for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
      if (key === '.') continue;
      if (!isPathElement(key)) throw new Error(`parsing JSON: unknown path element ${JSON.stringify(key)}`);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`expected an object at ${key}`);
      const entries = Object.keys(value);
      if (entries.length === 0 || entries.includes('.')) out.#addMember(key);
      if (entries.some((e) => e !== '.')) out.#setChild(key, FieldSet.fromFieldsV1(value));
    }
    return out;
  }
}
