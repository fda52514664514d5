// SPDX-License-Identifier: Apache-2.0
/**
 * ServiceAccount admission (upstream plugin/pkg/admission/serviceaccount):
 * a pod without spec.serviceAccountName runs as `default`. Mounting the
 * account's token is the kubelet's part (projected volume).
 */
import type { AdmissionPlugin } from './admission.js';

export function serviceAccountAdmission(): AdmissionPlugin {
  return {
    name: 'ServiceAccount',
    handles: (r, sub, op) => r.group === '' && r.kind === 'Pod' && !sub && op === 'CREATE',
    admit({ object }) {
      const spec = (object.spec ?? (object.spec = {})) as { serviceAccountName?: string; serviceAccount?: string };
      if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || 'default';
      // serviceAccount is the deprecated alias upstream keeps in step.
      spec.serviceAccount = spec.serviceAccountName;
    },
  };
}
