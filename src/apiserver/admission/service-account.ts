// SPDX-License-Identifier: Apache-2.0
/**
 * ServiceAccount admission (upstream plugin/pkg/admission/serviceaccount):
 * a pod without spec.serviceAccountName runs as `default`; a pod without
 * imagePullSecrets gets its service account's, so
 * `kubectl patch serviceaccount default -p '{"imagePullSecrets":[...]}'`
 * covers every pod of a namespace; and unless the pod (or, when the pod does
 * not say, its account) sets automountServiceAccountToken: false, every
 * container and init container mounts a `kube-api-access-<5 random>`
 * projected volume (a bound token, the kube-root-ca.crt bundle and the
 * namespace) read-only at /var/run/secrets/kubernetes.io/serviceaccount. The
 * kubelet fills it in. Mirror pods are left as they are, and may reference
 * neither an account nor secrets.
 *
 * Where Skiff differs on purpose: upstream refuses a pod whose account does
 * not exist; Skiff admits it (a new namespace's `default` account is made by
 * a controller a moment later) and the kubelet keeps the pod in
 * ContainerCreating, retrying the token, until the account exists.
 */
import type { Pod, PodSpec, ProjectedVolumeSource, ServiceAccount, VolumeMount } from 'kubernetes-types/core/v1.js';
import { MIRROR_POD_ANNOTATION, ROOT_CA_CONFIGMAP, type KubeObject } from '../../api/index.js';
import { newForbidden } from '../../machinery/index.js';
import type { APIRegistry } from '../registry/api-registry.js';
import { generateName } from '../registry/object-meta.js';
import { newContext, SYSTEM_USER } from '../registry/request-context.js';
import type { AdmissionAttributes, AdmissionPlugin } from './admission.js';

/** SERVICE_ACCOUNT_VOLUME_NAME is the prefix of the generated volume's name (upstream ServiceAccountVolumeName). */
export const SERVICE_ACCOUNT_VOLUME_NAME = 'kube-api-access';
/** DEFAULT_API_TOKEN_MOUNT_PATH is where in-cluster clients look for the token, CA and namespace. */
export const DEFAULT_API_TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/**
 * WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS is the lifetime the automatic
 * volume asks for (upstream serviceaccount.WarnOnlyBoundTokenExpirationSeconds):
 * an hour and 7 s, a value no one picks by hand, so the issuer can tell these tokens apart.
 */
export const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 3607;

/** tokenVolumeSource is the projected source of the automatic volume (upstream TokenVolumeSource). */
export function tokenVolumeSource(): ProjectedVolumeSource {
  return {
    // Set explicitly, as upstream does since kubernetes#104464 (0644).
    defaultMode: 0o644,
    sources: [
      { serviceAccountToken: { path: 'token', expirationSeconds: WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS } },
      { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  };
}

/** shouldAutomount: the pod's preference wins, then the account's, else true (upstream shouldAutomount). */
export function shouldAutomount(sa: ServiceAccount | undefined, spec: PodSpec): boolean {
  if (spec.automountServiceAccountToken !== undefined && spec.automountServiceAccountToken !== null) return spec.automountServiceAccountToken;
  if (sa?.automountServiceAccountToken !== undefined && sa.automountServiceAccountToken !== null) return sa.automountServiceAccountToken;
  return true;
}

/**
 * mountServiceAccountToken adds the mount to every init container and
 * container that has nothing at the mount path, and the volume when one of
 * them needs it; a volume already named `kube-api-access-*` is reused (upstream mountServiceAccountToken).
 */
export function mountServiceAccountToken(spec: PodSpec, newName: (base: string) => string = generateName): void {
  spec.volumes ??= [];
  const existing = spec.volumes.find((v) => v.name.startsWith(`${SERVICE_ACCOUNT_VOLUME_NAME}-`));
  const name = existing?.name ?? newName(`${SERVICE_ACCOUNT_VOLUME_NAME}-`);
  let needsVolume = false;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    // An existing mount at the path means the pod brings its own credentials there.
    if (c.volumeMounts?.some((m) => m.mountPath === DEFAULT_API_TOKEN_MOUNT_PATH)) continue;
    const mount: VolumeMount = { name, readOnly: true, mountPath: DEFAULT_API_TOKEN_MOUNT_PATH };
    (c.volumeMounts ??= []).push(mount);
    needsVolume = true;
  }
  if (!existing && needsVolume) spec.volumes.push({ name, projected: tokenVolumeSource() });
  if (!spec.volumes.length) delete spec.volumes;
}

// Upstream's Validate for mirror pods: a static pod's API copy may not reach for an account's credentials.
function validateMirrorPod(a: AdmissionAttributes, spec: PodSpec): void {
  const why = mirrorPodViolation(spec);
  if (why) throw newForbidden({ group: '', resource: 'pods' }, a.object.metadata.name ?? '', why);
}

/** mirrorPodViolation says why a mirror pod's spec is refused, or ''. */
export function mirrorPodViolation(spec: PodSpec): string {
  if (spec.serviceAccountName) return 'a mirror pod may not reference service accounts';
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...((spec.ephemeralContainers ?? []) as PodSpec['containers'])];
  const secretRefs = [
    ...(spec.imagePullSecrets ?? []).map((s) => s.name),
    ...(spec.volumes ?? []).flatMap((v) => [v.secret?.secretName, ...(v.projected?.sources ?? []).map((p) => p.secret?.name)]),
    ...containers.flatMap((c) => [...(c.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.name), ...(c.envFrom ?? []).map((e) => e.secretRef?.name)]),
  ];
  if (secretRefs.some((n) => n)) return 'a mirror pod may not reference secrets';
  if ((spec.volumes ?? []).some((v) => v.projected?.sources?.some((p) => p.serviceAccountToken))) {
    return 'a mirror pod may not use ServiceAccountToken volume projections';
  }
  return '';
}

export function serviceAccountAdmission(api: APIRegistry): AdmissionPlugin {
  const isMirror = (object: KubeObject) => object.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined;
  return {
    name: 'ServiceAccount',
    // Upstream mutates only pod creation; the ephemeralcontainers subresource is only checked against mountable secrets
    // (not enforced by Skiff), so ephemeral containers get no automatic mount there either.
    handles: (r, sub, op) => r.group === '' && r.kind === 'Pod' && !sub && op === 'CREATE',
    async admit({ object }) {
      if (isMirror(object)) return;
      const spec = (object.spec ?? (object.spec = {})) as PodSpec;
      if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || 'default';
      // serviceAccount is the deprecated alias upstream keeps in step.
      spec.serviceAccount = spec.serviceAccountName;
      const namespace = object.metadata.namespace;
      const sa = (await api
        .require('', 'v1', 'serviceaccounts')
        .get(newContext(SYSTEM_USER, namespace), spec.serviceAccountName)
        .catch(() => undefined)) as (KubeObject & ServiceAccount) | undefined;
      if (shouldAutomount(sa, spec)) mountServiceAccountToken(spec);
      if (!spec.imagePullSecrets?.length && sa?.imagePullSecrets?.length) spec.imagePullSecrets = sa.imagePullSecrets.map((s) => ({ name: s.name }));
    },
    validate(a) {
      if (isMirror(a.object)) validateMirrorPod(a, ((a.object as unknown as Pod).spec ?? {}) as PodSpec);
    },
  };
}
