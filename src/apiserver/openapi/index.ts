// SPDX-License-Identifier: Apache-2.0
/**
 * OpenAPI documents (/openapi/v2, /openapi/v3) and schema lookups for
 * server-side field validation. See openapi.ts for what the HTTP layer must
 * answer.
 */
export { OpenAPIDocuments, openAPIV2, openAPIV2For, openAPIV2Json, openAPIV2Protobuf, openAPIV3Index, openAPIV3IndexJson, openAPIV3Json } from './openapi.js';
export type { OpenAPISource, Rendered } from './builders.js';
export type { OpenAPIV3Index } from './openapi.js';
export { OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_ACCEPT } from './v2-media-types.js';
export type { SwaggerDocument } from './v2-merge.js';
export { findUnknownFields, schemaFor } from './unknown-fields.js';
export { decodeError, findTypeMismatch, goFormat, jsonDecodeMessage, type TypeMismatch } from './type-errors.js';
export type { SchemaRef } from './unknown-fields.js';
export { definitions, resolveSchema } from './schema.js';
export type { Definitions, GroupVersionKind, Schema } from './schema.js';
