// SPDX-License-Identifier: Apache-2.0
/**
 * ServiceAccount admission (upstream plugin/pkg/admission/serviceaccount):
 * a pod without spec.serviceAccountName runs as `default`, and a pod
 * without imagePullSecrets gets its service account's, so
 * `kubectl patch serviceaccount default -p '{"imagePullSecrets":[...]}'`
 * covers every pod of a namespace. Mounting the account's token is the
 * kubelet's part (projected volume).
 */
import type { KubeObject } from '../../api/index.js';
import type { APIRegistry } from '../registry/api-registry.js';
import { newContext, SYSTEM_USER } from '../registry/request-context.js';
import type { AdmissionPlugin } from './admission.js';

interface PodSpec {
  serviceAccountName?: string;
  serviceAccount?: string;
  imagePullSecrets?: { name: string }[];
}

export function serviceAccountAdmission(api: APIRegistry): AdmissionPlugin {
  return {
    name: 'ServiceAccount',
    handles: (r, sub, op) => r.group === '' && r.kind === 'Pod' && !sub && op === 'CREATE',
    async admit({ object }) {
      const spec = (object.spec ?? (object.spec = {})) as PodSpec;
      if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || 'default';
      // serviceAccount is the deprecated alias upstream keeps in step.
      spec.serviceAccount = spec.serviceAccountName;
      if (spec.imagePullSecrets?.length) return;
      const namespace = object.metadata.namespace;
      const sa = (await api
        .require('', 'v1', 'serviceaccounts')
        .get(newContext(SYSTEM_USER, namespace), spec.serviceAccountName)
        .catch(() => undefined)) as (KubeObject & { imagePullSecrets?: { name: string }[] }) | undefined;
      if (sa?.imagePullSecrets?.length) spec.imagePullSecrets = sa.imagePullSecrets.map((s) => ({ name: s.name }));
    },
  };
}
