// SPDX-License-Identifier: Apache-2.0
/**
 * The MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins of the
 * admission chain. Both skip the admission configuration kinds themselves
 * (upstream's exemption) and in-process full writes. The mutating plugin
 * works in the mutating phase for creates and updates; deletes have no
 * mutating phase in the chain, so its webhooks see them at the start of the
 * validating phase, where they may still refuse.
 */
import type { AdmissionAttributes, AdmissionOperation, AdmissionPlugin } from '../admission.js';
import type { ResourceInfo } from '../../../api/index.js';
import { dispatchMutating, dispatchValidating, MUTATING_CONFIGURATIONS, VALIDATING_CONFIGURATIONS } from './dispatcher.js';
import type { AdmissionEnvironment } from './environment.js';
import { isExemptAdmissionConfigurationResource } from './rules.js';

/** INTERNAL_WRITE is the registry's subresource of in-process writes of spec and status together (pod binding). */
const INTERNAL_WRITE = '*';

function applies(r: ResourceInfo, sub: string | undefined): boolean {
  return sub !== INTERNAL_WRITE && !isExemptAdmissionConfigurationResource({ group: r.group, resource: r.plural });
}

export function mutatingAdmissionWebhook(env: AdmissionEnvironment): AdmissionPlugin {
  return {
    name: 'MutatingAdmissionWebhook',
    handles: (r, sub) => applies(r, sub),
    // Without configurations (known without waiting) there is nothing to call, and no promise to await.
    admit: (a: AdmissionAttributes) => (env.noneStored(MUTATING_CONFIGURATIONS) ? undefined : dispatchMutating(env, a)),
    async validate(a: AdmissionAttributes) {
      if (a.operation === ('DELETE' satisfies AdmissionOperation)) await dispatchMutating(env, a);
    },
  };
}

export function validatingAdmissionWebhook(env: AdmissionEnvironment): AdmissionPlugin {
  return {
    name: 'ValidatingAdmissionWebhook',
    handles: (r, sub) => applies(r, sub),
    validate: (a: AdmissionAttributes) => (env.noneStored(VALIDATING_CONFIGURATIONS) ? undefined : dispatchValidating(env, a)),
  };
}
