// SPDX-License-Identifier: Apache-2.0
/**
 * Label and field selectors: parsing the `labelSelector` / `fieldSelector`
 * query parameters, converting metav1.LabelSelector objects, checking field
 * labels per kind and matching objects, with upstream's messages and 400s.
 */
export {
  everythingLabelSelector,
  fromLabelSelector,
  isEverything,
  labelSelectorToString,
  matchesLabels,
  nothingLabelSelector,
  parseLabelSelector,
  selectorFromSet,
  type ParsedLabelSelector,
} from './label-selector.js';
export { newRequirement, requirementMatches, LabelSelectorError, type LabelOperator, type LabelRequirement } from './label-requirement.js';
export { dns1123SubdomainErrors, labelKeyErrors, labelValueErrors } from './label-syntax.js';
export {
  escapeFieldValue,
  everythingFieldSelector,
  exactFieldValue,
  fieldSelectorToString,
  groupKindOf,
  matchesFields,
  parseFieldSelector,
  unescapeFieldValue,
  validateFieldSelector,
  type FieldRequirement,
  type GroupKind,
  type ParsedFieldSelector,
} from './field-selector.js';
export { fieldValue, fieldsSupportedFor, selectableFields } from './selectable-fields.js';
export { buildPredicate, selectorMatches, labelSelectorString } from './object-predicate.js';
