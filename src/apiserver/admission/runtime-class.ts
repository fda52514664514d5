// SPDX-License-Identifier: Apache-2.0
/**
 * RuntimeClass admission (upstream plugin/pkg/admission/runtimeclass): a pod
 * created with spec.runtimeClassName takes its class's overhead.podFixed as
 * spec.overhead and its scheduling.nodeSelector and tolerations merged into
 * its own. A class that does not exist, an overhead the pod set itself that
 * differs, or a nodeSelector key the pod sets to another value refuses the
 * pod; so does an overhead set without a class that defines one. Only
 * creates are looked at (upstream's handler is Create only).
 */
import type { PodSpec, Toleration } from 'kubernetes-types/core/v1.js';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import { parseQuantity, type KubeObject } from '../../api/index.js';
import { isNotFound, newForbidden } from '../../machinery/index.js';
import type { AdmissionAttributes, AdmissionPlugin } from './admission.js';

/** RuntimeClassGetter reads a RuntimeClass by name, undefined when there is none. */
export type RuntimeClassGetter = (name: string) => Promise<RuntimeClass | undefined>;

/** forbidden is admission.NewForbidden: the request's name, else the object's generateName, else "Unknown". */
function forbidden(pod: KubeObject, why: string): Error {
  const name = pod.metadata?.name || pod.metadata?.generateName || 'Unknown';
  return newForbidden({ group: '', resource: 'pods' }, name, why);
}

/** classOf is upstream's prepareObjects: the pod's class, undefined when it names none. */
async function classOf(pod: KubeObject, getClass: RuntimeClassGetter): Promise<RuntimeClass | undefined> {
  const name = (pod.spec as PodSpec | undefined)?.runtimeClassName;
  if (!name) return undefined;
  const rc = await getClass(name);
  if (!rc) throw forbidden(pod, `pod rejected: RuntimeClass "${name}" not found`);
  return rc;
}

/** sameResources is apiequality.Semantic.DeepEqual of two resource lists: the same names, and amounts equal as quantities. */
function sameResources(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  const kb = Object.keys(b ?? {});
  if (ka.length !== kb.length) return false;
  return ka.every((k) => b?.[k] !== undefined && parseQuantity(a![k]).cmp(parseQuantity(b[k])) === 0);
}

function sameToleration(a: Toleration, b: Toleration): boolean {
  return (a.key ?? '') === (b.key ?? '') && (a.operator ?? '') === (b.operator ?? '') && (a.value ?? '') === (b.value ?? '') &&
    (a.effect ?? '') === (b.effect ?? '') && a.tolerationSeconds === b.tolerationSeconds;
}

/** isSuperset says whether ss tolerates every taint t does (upstream pkg/util/tolerations). */
function isSuperset(ss: Toleration, t: Toleration): boolean {
  if (sameToleration(ss, t)) return true;
  // An empty key with operator Exists matches every key.
  if ((t.key ?? '') !== (ss.key ?? '') && (ss.key || ss.operator !== 'Exists')) return false;
  // An empty effect matches every effect.
  if ((t.effect ?? '') !== (ss.effect ?? '') && ss.effect) return false;
  if (ss.effect === 'NoExecute' && ss.tolerationSeconds != null) {
    if (t.tolerationSeconds == null || t.tolerationSeconds > ss.tolerationSeconds) return false;
  }
  if (!ss.operator || ss.operator === 'Equal') return t.operator === 'Equal' && (t.value ?? '') === (ss.value ?? '');
  return ss.operator === 'Exists';
}

/** mergeTolerations is upstream's MergeTolerations: both lists, without one a kept or later toleration covers (the first of equals stays). */
export function mergeTolerations(first: Toleration[], second: Toleration[]): Toleration[] {
  const all = [...first, ...second];
  const merged: Toleration[] = [];
  all.forEach((t, i) => {
    if (merged.some((m) => isSuperset(m, t))) return;
    if (all.slice(i + 1).some((later) => !sameToleration(t, later) && isSuperset(later, t))) return;
    merged.push(t);
  });
  return merged;
}

/** setOverhead: the class's podFixed becomes the pod's overhead; a different one the pod brought refuses it. */
function setOverhead(pod: KubeObject, spec: PodSpec, rc: RuntimeClass): void {
  const podFixed = rc.overhead?.podFixed;
  if (!rc.overhead || !podFixed) return;
  if (Object.keys(spec.overhead ?? {}).length > 0 && !sameResources(podFixed, spec.overhead)) {
    throw forbidden(pod, "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
  }
  spec.overhead = { ...podFixed };
}

/** setScheduling merges the class's nodeSelector (a key the pod sets otherwise is a conflict) and tolerations into the pod. */
function setScheduling(pod: KubeObject, spec: PodSpec, rc: RuntimeClass): void {
  const scheduling = rc.scheduling;
  if (!scheduling) return;
  let selector = spec.nodeSelector;
  if (!selector) selector = scheduling.nodeSelector ? { ...scheduling.nodeSelector } : undefined;
  else {
    for (const [key, value] of Object.entries(scheduling.nodeSelector ?? {})) {
      const podValue = selector[key];
      if (podValue !== undefined && podValue !== value) {
        throw forbidden(pod, `conflict: runtimeClass.scheduling.nodeSelector[${key}] = ${value}; pod.spec.nodeSelector[${key}] = ${podValue}`);
      }
      selector[key] = value;
    }
  }
  if (selector) spec.nodeSelector = selector;
  const tolerations = mergeTolerations(spec.tolerations ?? [], scheduling.tolerations ?? []);
  if (tolerations.length > 0) spec.tolerations = tolerations;
}

/** runtimeClassAdmission is the RuntimeClass plugin; getClass reads the live object (upstream falls back to a live GET too). */
export function runtimeClassAdmission(getClass: RuntimeClassGetter): AdmissionPlugin {
  return {
    name: 'RuntimeClass',
    handles: (r, sub, op) => r.group === '' && r.plural === 'pods' && !sub && op === 'CREATE',
    async admit({ object }: AdmissionAttributes) {
      const rc = await classOf(object, getClass);
      if (!rc) return;
      const spec = (object.spec ?? (object.spec = {})) as PodSpec;
      setOverhead(object, spec, rc);
      setScheduling(object, spec, rc);
    },
    async validate({ object }: AdmissionAttributes) {
      const rc = await classOf(object, getClass);
      const overhead = (object.spec as PodSpec | undefined)?.overhead;
      if (rc?.overhead?.podFixed) {
        if (!sameResources(rc.overhead.podFixed, overhead)) throw forbidden(object, "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
      } else if (overhead) {
        throw forbidden(object, 'pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');
      }
    },
  };
}

/** liveRuntimeClassGetter adapts a get that throws NotFound into a RuntimeClassGetter. */
export function liveRuntimeClassGetter(get: (name: string) => Promise<KubeObject>): RuntimeClassGetter {
  return (name) => get(name).then((o) => o as unknown as RuntimeClass, (err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
}
