// SPDX-License-Identifier: Apache-2.0
/**
 * TypeScript shapes of the CRI (runtime.v1) messages Skiff uses, as they
 * cross the wire through @grpc/proto-loader with `keepCase`, `longs: String`,
 * `enums: String` and `defaults: true` (see runtime.proto):
 * - field names stay snake_case, exactly as in the proto;
 * - int64/uint64 values arrive as decimal strings; requests may pass numbers;
 * - enums arrive as their names ('CONTAINER_RUNNING');
 * - unset scalar fields arrive as their zero value, unset message fields as null.
 * Request types mark everything optional (the server sees zero values); response
 * types list what the runtime always fills in.
 */
export type * from './cri-value-types.js';
export type * from './cri-container-types.js';
export type * from './cri-sandbox-types.js';
export type * from './cri-stats-types.js';
