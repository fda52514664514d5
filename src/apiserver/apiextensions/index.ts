// SPDX-License-Identifier: Apache-2.0
/**
 * apiextensions.k8s.io: CustomResourceDefinitions and the custom resources
 * they serve, through run-time resource definitions (src/apiserver/definitions).
 */
export { customResourceDefinitionKind } from './crd-kind.js';
export { CRDController } from './crd-controller.js';
export { validateValue } from './schema-validation.js';
export { applyDefaults } from './defaulting.js';
export { prune, unknownFields } from './pruning.js';
export { validateCRD, validateCRDUpdate } from './crd-validation.js';
export { evaluateJSONPath, parseJSONPath } from './jsonpath.js';
export { printerColumnsConvertor } from './printer-columns.js';
export type { CustomResourceDefinition, JSONSchemaProps } from './types.js';
