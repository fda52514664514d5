// SPDX-License-Identifier: Apache-2.0
/**
 * api: the API's types and the knowledge every component shares about them
 * (k8s.io/api plus upstream's component-helpers): objects, the served
 * resources and kinds, validation, quantities, PATCH per kind, and the
 * shared predicates (scheduling, quota, volume matching, kubelet and metrics
 * contracts). Imports only machinery.
 */
export { type ContainerStatsSummary, type CPUStats, KUBELET_CLIENT_USER, LogOptionsError, type MemoryStats, parseLogOptions, type PodStatsSummary, type StatsSummary } from './kubelet/index.js';
export { type LogOptions, logOptionsQuery } from './kubelet/log-options.js';
export { type PodUsageReport, type SimulatedUsage } from './metrics/index.js';
export { deepClone, deepEqual, isPlainObject, type KubeList, type KubeObject, type ListMeta, type OwnerReference, type WatchEvent } from './object.js';
export { addInto, kindsFor, matchesScopes, parseList, podConstraints, podResources, prettyList, type QuotaSpec, type ResourceList, usageOf } from './quota/index.js';
export { apiVersionOf, type GroupVersions, lookupKind, lookupResource, type ResourceInfo, RESOURCES, servedGroups, storageKey, storagePrefix, type SubresourceName } from './resources.js';
export { toleratesTaint } from './scheduling/index.js';
export { podMatchesNodeSelectorAndAffinity, preferredAffinityScore } from './scheduling/node-selector.js';
export { findUntoleratedTaint, tolerationsTolerateTaint } from './scheduling/tolerations.js';
export { CronParseError, type CronSchedule, isKnownTimeZone, parseCronSchedule } from './validation/cron.js';
export { intOrPercentValue, IS_NEGATIVE_ERROR_MSG, isNotMoreThan100Percent, validateImmutableField, validateNonnegativeField, validatePositiveIntOrPercent } from './validation/fields.js';
export { isEmptySelector, type LabelSelector, labelSelectorMatches, validateLabelSelector } from './validation/label-selector.js';
export { isConfigMapKey, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isQualifiedName, isValidLabelValue, isValidPathSegmentName, regexError } from './validation/names.js';
export { inclusiveRangeError, ipFamilyOf, isValidCIDR, isValidIP, isValidPortName, isValidPortNum, nthAddress } from './validation/network.js';
export { type NameRule, nameRuleFor, tooLongError, validateAnnotations, validateLabels, validateObjectMeta, type ValidateObjectMetaOptions } from './validation/object-meta.js';
export { canonicalQuantity, parseQuantity, Quantity, tryParseQuantity } from './validation/quantity.js';
export { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_PROVISIONED_BY, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, claimKey, findMatchingVolume, LOCAL_PATH_PROVISIONER, NO_PROVISIONER, type PV, VolumeEvents, volumeNodeAffinityMatches } from './volume/index.js';
export { ANN_BETA_STORAGE_CLASS, ANN_BETA_STORAGE_PROVISIONER, ANN_DEFAULT_STORAGE_CLASS, claimClass, claimRefKey, isBindCompleted, isDelayedBinding, PV_PROTECTION_FINALIZER, type PVC, PVC_PROTECTION_FINALIZER, type SC } from './volume/volume-annotations.js';
export { claimRequest, isVolumeBoundToClaim, mismatchReason, storageOf, volumeCapacity } from './volume/volume-matching.js';
export { applyPatch, patchContentTypesFor, newUnsupportedPatchType, patchMetaFor } from './patch/index.js';
