// SPDX-License-Identifier: Apache-2.0
/** server: SkiffServer, the composition root of a whole cluster in one process (the CLI runs it). */
export { DEFAULT_SERVER_OPTIONS, hostAddress, SkiffServer } from './skiff-server.js';
export { RESOURCE_LOG_PREFIX, startResourceSampler } from './resource-sampler.js';
export { createJoinToken } from './join-token.js';
