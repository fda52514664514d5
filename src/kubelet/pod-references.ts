// SPDX-License-Identifier: Apache-2.0
/**
 * The ConfigMaps and Secrets a pod references, as upstream's
 * podutil.VisitPodConfigmapNames and VisitPodSecretNames collect them for the
 * kubelet's configmap and secret managers: env and envFrom of every container
 * (init and ephemeral ones included), ConfigMap and Secret volumes, projected
 * sources and, for Secrets, imagePullSecrets. Volume plugins Skiff does not
 * mount (CSI, CephFS, ...) are left out: the kubelet never reads their secrets.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';

/** PodReferences are the names of a pod's referenced objects, in the pod's namespace. */
export interface PodReferences {
  configMaps: Set<string>;
  secrets: Set<string>;
}

/** podReferences collects a pod's ConfigMap and Secret names. */
export function podReferences(pod: Pod): PodReferences {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const add = (set: Set<string>, name: string | undefined): void => {
    if (name) set.add(name);
  };
  const spec = pod.spec;
  for (const s of spec?.imagePullSecrets ?? []) add(secrets, s.name);
  const containers: Pick<Container, 'env' | 'envFrom'>[] = [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])];
  for (const c of containers) {
    for (const from of c.envFrom ?? []) {
      add(configMaps, from.configMapRef?.name);
      add(secrets, from.secretRef?.name);
    }
    for (const e of c.env ?? []) {
      add(configMaps, e.valueFrom?.configMapKeyRef?.name);
      add(secrets, e.valueFrom?.secretKeyRef?.name);
    }
  }
  for (const v of spec?.volumes ?? []) {
    add(configMaps, v.configMap?.name);
    add(secrets, v.secret?.secretName);
    for (const src of v.projected?.sources ?? []) {
      add(configMaps, src.configMap?.name);
      add(secrets, src.secret?.name);
    }
  }
  return { configMaps, secrets };
}
