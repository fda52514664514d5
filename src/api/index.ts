// SPDX-License-Identifier: Apache-2.0
/**
 * api: the API's types and the knowledge every component shares about them
 * (k8s.io/api plus upstream's component-helpers): objects, the served
 * resources and kinds, validation, quantities, PATCH per kind, and the
 * shared predicates (scheduling, quota, volume matching, kubelet and metrics
 * contracts). Imports only machinery.
 */
export { inUpstreamOrder } from './field-order.js';
export { deepClone, deepEqual, isPlainObject, type KubeList, type KubeObject, type ListMeta, type OwnerReference, type WatchEvent } from './object.js';
export { apiVersionOf, type GroupVersions, lookupKind, lookupResource, type ResourceInfo, RESOURCES, servedGroups, storageKey, storagePrefix, type SubresourceName, type Verb } from './resources.js';
export { CronParseError, type CronSchedule, isKnownTimeZone, parseCronSchedule } from './validation/cron.js';
export { intOrPercentValue, IS_NEGATIVE_ERROR_MSG, isNotMoreThan100Percent, validateImmutableField, validateNonnegativeField, validatePositiveIntOrPercent } from './validation/fields.js';
export { isEmptySelector, type LabelSelector, labelSelectorMatches, validateLabelSelector, validateLabelSelectorRequirement } from './validation/label-selector.js';
export { isConfigMapKey, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isQualifiedName, isValidLabelValue, isValidPathSegmentName, regexError } from './validation/names.js';
export { inclusiveRangeError, ipFamilyOf, isValidCIDR, isValidIP, isValidPortName, isValidPortNum, nthAddress } from './validation/network.js';
export { type NameRule, nameRuleFor, tooLongError, validateAnnotations, validateLabels, validateObjectMeta, type ValidateObjectMetaOptions } from './validation/object-meta.js';
export { canonicalQuantity, parseQuantity, Quantity, tryParseQuantity } from './validation/quantity.js';

// upstream's component-helpers and the contracts between components, each with its own surface.
export * from './scheduling/index.js';
export * from './quota/index.js';
export * from './volume/index.js';
export * from './kubelet/index.js';
export * from './metrics/index.js';
export * from './patch/index.js';
export * from './certificates/index.js';
export * from './bootstrap/index.js';
export * from './well-known-names.js';
