// SPDX-License-Identifier: Apache-2.0
/**
 * kubelet/cri: the Container Runtime Interface as the kubelet uses it — the
 * RuntimeService/ImageService interfaces, the gRPC client for a real runtime,
 * an in-memory fake for tests, and the CriError model.
 */
export { CriClient, CRI_MAX_MESSAGE_BYTES, runtimeProtoPath } from './cri-client.js';
export type { CriClientOptions } from './cri-client.js';
export { FakeRuntime } from './fake-runtime.js';
export type { FakeCall, FakeExecHandler, FakeRuntimeOptions } from './fake-runtime.js';
export { CriError, toCriError, grpcCodeName, isCriNotFound, isCriUnavailable } from './errors.js';
export type { CriErrorCode } from './errors.js';
export type { RuntimeService, ImageService, CallOptions, ExecRequest, AttachRequest } from './runtime-service.js';
export type * from './cri-types.js';
