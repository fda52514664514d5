// SPDX-License-Identifier: Apache-2.0
/** controllers/disruption: the PodDisruptionBudget status controller. */
export { DisruptionController, DELETION_TIMEOUT_MS, type DisruptionControllerOptions } from './disruption-controller.js';
