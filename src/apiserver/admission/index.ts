// SPDX-License-Identifier: Apache-2.0
/** Admission plugins and the chain; registerDefaultAdmission installs the plugins every server runs. */
import type { APIRegistry } from '../registry/api-registry.js';
import { newContext, type UserInfo } from '../registry/request-context.js';
import { isNotFound } from '../../machinery/index.js';
import { limitRangerAdmission } from './limit-ranger.js';
import { nodeRestrictionAdmission } from './node-restriction.js';
import { namespaceLifecycleAdmission } from './namespace-lifecycle.js';
import { podPriorityAdmission } from './pod-priority.js';
import { resourceQuotaAdmission } from './resource-quota.js';
import { liveRuntimeClassGetter, runtimeClassAdmission } from './runtime-class.js';
import { serviceAccountAdmission } from './service-account.js';
import { storageAdmissionPlugins } from './storage-admission.js';
import { mutatingAdmissionWebhook, registryEnvironment, validatingAdmissionWebhook } from './webhook/index.js';
import { validatingAdmissionPolicy } from './policy/index.js';

export { IMMORTAL_NAMESPACES } from './namespace-lifecycle.js';
export { AdmissionChain, type AdmissionPlugin, type AdmissionAttributes, type AdmissionOperation } from './admission.js';

/** ADMISSION_READER is who admission plugins read as: the API server itself, which the reads never reach authorization as. */
const ADMISSION_READER: UserInfo = { name: 'system:apiserver', groups: ['system:masters'] };

/** registerDefaultAdmission installs upstream's default plugins that Skiff implements, in upstream's order. */
export function registerDefaultAdmission(api: APIRegistry): void {
  // NamespaceLifecycle comes first, as in upstream's recommended plugin order.
  api.admission.register(namespaceLifecycleAdmission());
  // NodeRestriction comes first, as in upstream's plugin order: a node's write is refused before anything is charged for it.
  const pods = () => api.require('', 'v1', 'pods');
  api.admission.register(nodeRestrictionAdmission((namespace, name) => pods().get(newContext(ADMISSION_READER, namespace), name).catch((err) => {
    if (isNotFound(err)) return undefined;
    throw err;
  })));
  api.admission.register(limitRangerAdmission(api));
  api.admission.register(serviceAccountAdmission(api));
  api.admission.register(podPriorityAdmission(api));
  for (const p of storageAdmissionPlugins(api)) api.admission.register(p);
  // RuntimeClass follows the storage plugins and precedes the webhooks, as in upstream's plugin order.
  const runtimeClasses = () => api.require('node.k8s.io', 'v1', 'runtimeclasses');
  api.admission.register(runtimeClassAdmission(liveRuntimeClassGetter((name) => runtimeClasses().get(newContext(ADMISSION_READER), name))));
  // Dynamic admission comes after the built-in plugins, in upstream's order:
  // MutatingAdmissionWebhook, ValidatingAdmissionPolicy, ValidatingAdmissionWebhook.
  const env = registryEnvironment(api);
  api.admission.register(mutatingAdmissionWebhook(env));
  api.admission.register(validatingAdmissionPolicy(env));
  api.admission.register(validatingAdmissionWebhook(env));
  // ResourceQuota is last, as upstream: it charges what every other plugin has settled.
  api.admission.register(resourceQuotaAdmission(api));
}
