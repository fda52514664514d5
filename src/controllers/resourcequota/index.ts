// SPDX-License-Identifier: Apache-2.0
/** controllers/resourcequota: the quota controller (its evaluator, shared with admission, is api/quota). */
export { ResourceQuotaController, DEFAULT_QUOTA_RESYNC_MS, type ResourceQuotaControllerOptions } from './resourcequota-controller.js';
