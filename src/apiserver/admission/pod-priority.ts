// SPDX-License-Identifier: Apache-2.0
/**
 * Priority admission (upstream plugin/pkg/admission/priority): resolves a
 * pod's priorityClassName to spec.priority and spec.preemptionPolicy, using
 * the globalDefault class when none is named; an unknown class is refused.
 * The two built-in classes exist without objects, as upstream. Updates carry
 * both fields over from the stored pod.
 */
import type { KubeObject } from '../../api/index.js';
import { StatusError } from '../../machinery/index.js';
import { newContext, SYSTEM_USER } from '../registry/request-context.js';
import type { APIRegistry } from '../registry/api-registry.js';
import type { AdmissionPlugin } from './admission.js';

interface PriorityClass extends KubeObject {
  value?: number;
  globalDefault?: boolean;
  preemptionPolicy?: string;
}

/** Built-in classes (upstream scheduling/v1 SystemPriorityClasses). */
const SYSTEM_CLASSES: Record<string, number> = {
  'system-node-critical': 2000001000,
  'system-cluster-critical': 2000000000,
};

export function podPriorityAdmission(api: APIRegistry): AdmissionPlugin {
  return {
    name: 'Priority',
    handles: (r, sub, op) => r.group === '' && r.kind === 'Pod' && !sub && (op === 'CREATE' || op === 'UPDATE'),
    async admit({ object, oldObject, operation }) {
      if (operation === 'UPDATE') {
        // Priority was settled at create and is immutable: an update (`kubectl replace` of a
        // manifest without it) carries both fields over from the stored pod, as upstream's admitPod.
        const spec = (object.spec ?? {}) as Record<string, unknown>;
        const old = (oldObject?.spec ?? {}) as Record<string, unknown>;
        for (const k of ['priority', 'preemptionPolicy']) {
          if (old[k] === undefined) delete spec[k];
          else spec[k] = old[k];
        }
        object.spec = spec;
        return;
      }
      const spec = (object.spec ?? {}) as { priorityClassName?: string; priority?: number; preemptionPolicy?: string };
      const classes = api.require('scheduling.k8s.io', 'v1', 'priorityclasses');
      const ctx = newContext(SYSTEM_USER);
      let value: number | undefined;
      let policy: string | undefined = 'PreemptLowerPriority';
      if (spec.priorityClassName) {
        const builtin = SYSTEM_CLASSES[spec.priorityClassName];
        if (builtin !== undefined) value = builtin;
        else {
          const pc = (await classes.get(ctx, spec.priorityClassName).catch(() => undefined)) as PriorityClass | undefined;
          if (!pc) throw new StatusError(403, 'Forbidden', `pods "${object.metadata.name ?? ''}" is forbidden: no PriorityClass with name ${spec.priorityClassName} was found`);
          value = pc.value ?? 0;
          policy = pc.preemptionPolicy ?? policy;
        }
      } else {
        const all = (await api.cachedList('scheduling.k8s.io', 'v1', 'priorityclasses')) as PriorityClass[];
        const def = all.filter((c) => c.globalDefault).sort((a, b) => (a.value ?? 0) - (b.value ?? 0))[0];
        if (def) {
          spec.priorityClassName = def.metadata.name;
          value = def.value ?? 0;
          policy = def.preemptionPolicy ?? policy;
        } else value = 0;
      }
      if (spec.priority !== undefined && spec.priority !== value) {
        throw new StatusError(403, 'Forbidden', `pods "${object.metadata.name ?? ''}" is forbidden: the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`);
      }
      spec.priority = value;
      spec.preemptionPolicy = spec.preemptionPolicy ?? policy;
      object.spec = spec;
    },
  };
}
