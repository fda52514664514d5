// SPDX-License-Identifier: Apache-2.0
/**
 * apiserver: the Kubernetes API over HTTPS and in process (authentication,
 * authorization, admission, registry, watch, protobuf, OpenAPI), pod
 * streaming through kubelets and the metrics API. The server composes it.
 */
export { installAuth, legacyToken, loadOrCreateSigningKey, serviceAccountKeyPath } from './auth/index.js';
export { StaticTokens } from './authn.js';
export { ensurePKI } from './certs.js';
export { encryptedStore, encryptionKeysPath, loadOrCreateKeys } from './encryption/index.js';
export { InProcessClient } from './in-process-client.js';
export { APIServer } from './server.js';
export { EventExpiry, DEFAULT_EVENT_TTL_MS } from './registry/event-expiry.js';
export { installPodStreaming, type KubeletClient } from './streaming/index.js';
