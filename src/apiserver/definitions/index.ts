// SPDX-License-Identifier: Apache-2.0
/**
 * Resource definitions: one per served resource, built-in or added at run
 * time, read by discovery, OpenAPI, routing, storage, printing and the
 * registry.
 */
export type { ResourceDefinition, VersionConverter, OpenAPIModel, ScalePaths } from './definition.js';
export { gvrKey } from './definition.js';
export { DefinitionRegistry, type DefinitionChange } from './registry.js';
export { builtinDefinition, builtinDefinitions, builtinKind, builtinPrinter, builtinStrategy } from './builtin.js';
export { compareKubeVersions } from './version-priority.js';
