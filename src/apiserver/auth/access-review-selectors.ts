// SPDX-License-Identifier: Apache-2.0
/**
 * The field and label selectors of an access review's resourceAttributes
 * (authorization.k8s.io/v1 FieldSelectorAttributes and
 * LabelSelectorAttributes, KEP-4601, AuthorizeWithSelectors on by default
 * since 1.32): their decoding, their validation (upstream's
 * pkg/apis/authorization/validation) and their conversion into authorizer
 * attributes (pkg/registry/authorization/util ResourceAttributesFrom).
 * Requirements that do not convert are dropped, which only widens the
 * question (requirements are ANDed), and the review's status says so in
 * evaluationError, as upstream's BuildEvaluationError does.
 */
import { isPlainObject, validateLabelSelectorRequirement } from '../../api/index.js';
import {
  field, newBadRequest, newRequirement, parseFieldSelector, parseLabelSelector,
  type FieldError, type FieldRequirement, type LabelOperator, type LabelRequirement,
} from '../../machinery/index.js';

/** SelectorRequirement is metav1.FieldSelectorRequirement and metav1.LabelSelectorRequirement (same wire shape). */
export interface SelectorRequirement {
  key?: string;
  operator?: string;
  values?: string[] | null;
}

/** SelectorAttributes is FieldSelectorAttributes or LabelSelectorAttributes: a raw selector string or structured requirements. */
export interface SelectorAttributes {
  rawSelector?: string;
  requirements?: SelectorRequirement[] | null;
}

const PATH = 'spec.resourceAttributes';
const SELECTORS = [
  { name: 'fieldSelector', type: 'FieldSelectorAttributes', requirement: 'FieldSelectorRequirement', operator: 'v1.FieldSelectorOperator' },
  { name: 'labelSelector', type: 'LabelSelectorAttributes', requirement: 'LabelSelectorRequirement', operator: 'v1.LabelSelectorOperator' },
] as const;

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

/**
 * checkSelectorTypes refuses wrongly typed selector fields as upstream's JSON
 * decoder does: 400 `SubjectAccessReview in version "v1" cannot be handled as
 * a SubjectAccessReview: json: cannot unmarshal number into Go struct field
 * FieldSelectorAttributes.spec.resourceAttributes.fieldSelector.rawSelector of type string`.
 */
export function checkSelectorTypes(kind: string, resourceAttributes: Record<string, unknown>): void {
  const fail = (value: unknown, struct: string, path: string, goType: string): never => {
    throw newBadRequest(`${kind} in version "v1" cannot be handled as a ${kind}: json: cannot unmarshal ${jsonType(value)} into Go struct field ${struct}.${path} of type ${goType}`);
  };
  const isString = (v: unknown) => v === null || v === undefined || typeof v === 'string';
  for (const s of SELECTORS) {
    const sel = resourceAttributes[s.name];
    const path = `${PATH}.${s.name}`;
    if (sel === null || sel === undefined) continue;
    if (!isPlainObject(sel)) fail(sel, 'ResourceAttributes', path, `v1.${s.type}`);
    const o = sel as Record<string, unknown>;
    if (!isString(o.rawSelector)) fail(o.rawSelector, s.type, `${path}.rawSelector`, 'string');
    if (o.requirements === null || o.requirements === undefined) continue;
    if (!Array.isArray(o.requirements)) fail(o.requirements, s.type, `${path}.requirements`, `[]v1.${s.requirement}`);
    for (const r of o.requirements as unknown[]) {
      const rp = `${path}.requirements`;
      if (r === null) continue;
      if (!isPlainObject(r)) fail(r, s.type, rp, `v1.${s.requirement}`);
      const req = r as Record<string, unknown>;
      if (!isString(req.key)) fail(req.key, s.requirement, `${rp}.key`, 'string');
      if (!isString(req.operator)) fail(req.operator, s.requirement, `${rp}.operator`, s.operator);
      if (req.values === null || req.values === undefined) continue;
      if (!Array.isArray(req.values)) fail(req.values, s.requirement, `${rp}.values`, '[]string');
      for (const v of req.values as unknown[]) if (!isString(v)) fail(v, s.requirement, `${rp}.values`, 'string');
    }
  }
}

/**
 * validateSelectorAttributes is upstream's validateResourceAttributes: not
 * both rawSelector and requirements, not neither, and each requirement valid
 * (operators this server does not know are allowed, for newer clients).
 */
export function validateSelectorAttributes(resourceAttributes: { fieldSelector?: SelectorAttributes | null; labelSelector?: SelectorAttributes | null }): FieldError[] {
  const errs: FieldError[] = [];
  for (const { name } of SELECTORS) {
    const sel = resourceAttributes[name];
    if (!sel) continue;
    const path = `${PATH}.${name}`;
    const raw = sel.rawSelector ?? '';
    const reqs = sel.requirements ?? [];
    if (raw && reqs.length) errs.push(field.invalid(`${path}.rawSelector`, raw, 'may not specified at the same time as requirements'));
    if (!raw && !reqs.length) errs.push(field.required(`${path}.requirements`, `when ${path} is specified, requirements or rawSelector is required`));
    reqs.forEach((r, i) => {
      const rp = `${path}.requirements[${i}]`;
      errs.push(...(name === 'fieldSelector' ? validateFieldSelectorRequirement(r ?? {}, rp) : validateLabelSelectorRequirement(r ?? {}, rp, { allowUnknownOperator: true })));
    });
  }
  return errs;
}

/** validateFieldSelectorRequirement is apimachinery's ValidateFieldSelectorRequirement with AllowUnknownOperatorInRequirement. */
function validateFieldSelectorRequirement(r: SelectorRequirement, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const values = r.values ?? [];
  if (!r.key) errs.push(field.required(`${path}.key`, 'must be specified'));
  if ((r.operator === 'In' || r.operator === 'NotIn') && values.length === 0) {
    errs.push(field.required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
  }
  if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && values.length > 0) {
    errs.push(field.forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
  }
  return errs;
}

/** ReviewSelectors are a review's selectors as the authorizers see them, with what could not be used. */
export interface ReviewSelectors {
  fieldSelector?: readonly FieldRequirement[];
  labelSelector?: readonly LabelRequirement[];
  /** evaluationErrors are upstream's BuildEvaluationError notes for selectors (partly) ignored. */
  evaluationErrors: string[];
}

/** reviewSelectors converts valid selector attributes into authorizer requirements (ResourceAttributesFrom). */
export function reviewSelectors(resourceAttributes: { fieldSelector?: SelectorAttributes | null; labelSelector?: SelectorAttributes | null }): ReviewSelectors {
  const out: ReviewSelectors = { evaluationErrors: [] };
  const note = (name: string, kept: number) => out.evaluationErrors.push(`${PATH}.${name} ${kept ? 'partially ' : ''}ignored due to parse error`);
  const f = resourceAttributes.fieldSelector;
  if (f) {
    const { requirements, failed } = f.requirements?.length ? fieldRequirements(f.requirements) : parseRaw(() => parseFieldSelector(f.rawSelector ?? '').requirements);
    if (requirements.length) out.fieldSelector = requirements;
    if (failed) note('fieldSelector', requirements.length);
  }
  const l = resourceAttributes.labelSelector;
  if (l) {
    const { requirements, failed } = l.requirements?.length ? labelRequirements(l.requirements) : parseRaw(() => parseLabelSelector(l.rawSelector ?? '').requirements);
    if (requirements.length) out.labelSelector = requirements;
    if (failed) note('labelSelector', requirements.length);
  }
  return out;
}

interface Converted<T> {
  requirements: T[];
  failed: boolean;
}

function parseRaw<T>(parse: () => readonly T[]): Converted<T> {
  try {
    return { requirements: [...parse()], failed: false };
  } catch {
    return { requirements: [], failed: true };
  }
}

/** fieldRequirements converts structured field requirements: In and NotIn with one value are = and != (as parsed selectors are); nothing else is supported yet. */
function fieldRequirements(reqs: readonly (SelectorRequirement | null)[]): Converted<FieldRequirement> {
  const out: FieldRequirement[] = [];
  let failed = false;
  for (const r of reqs) {
    const values = r?.values ?? [];
    const operator = r?.operator === 'In' ? '=' : r?.operator === 'NotIn' ? '!=' : undefined;
    if (!r || !operator || values.length !== 1) {
      failed = true;
      continue;
    }
    out.push({ field: r.key ?? '', operator, value: values[0] });
  }
  return { requirements: out, failed };
}

const LABEL_OPERATORS: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/** labelRequirements converts structured label requirements as LabelSelectorAsSelector does, keeping those that are valid. */
function labelRequirements(reqs: readonly (SelectorRequirement | null)[]): Converted<LabelRequirement> {
  const out: LabelRequirement[] = [];
  let failed = false;
  for (const r of reqs) {
    const operator = r?.operator ? LABEL_OPERATORS[r.operator] : undefined;
    try {
      if (!r || !operator) throw new Error('not a valid label selector operator');
      out.push(newRequirement(r.key ?? '', operator, r.values ?? []));
    } catch {
      failed = true;
    }
  }
  return { requirements: out, failed };
}
