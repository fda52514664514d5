// SPDX-License-Identifier: Apache-2.0
/**
 * Defaulting of pod specs, as upstream's `pkg/apis/core/v1/defaults.go`
 * (SetDefaults_PodSpec, _Container, _Probe, _HTTPGetAction, _Volume and the
 * volume sources, _ResourceList) plus the `+default` markers of the v1 types
 * (container port protocol TCP). defaultPodSpec applies to pods and to every
 * pod template; defaultPodOnly adds what upstream applies to Pods alone.
 */
import type { Container, LifecycleHandler, PodSpec, Probe, Volume, EnvVar } from 'kubernetes-types/core/v1.js';
import { isPlainObject } from '../../api/index.js';
import { canonicalQuantity, tryParseQuantity } from '../../api/index.js';

/** DEFAULT_TERMINATION_MESSAGE_PATH is v1.TerminationMessagePathDefault. */
export const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';

/**
 * imageTag returns the tag of an image reference as parsers.ParseImageName
 * sees it: 'latest' when neither tag nor digest is given, '' for a digest only.
 */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const hasDigest = at >= 0;
  const name = hasDigest ? image.slice(0, at) : image;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > lastSlash) return name.slice(colon + 1);
  return hasDigest ? '' : 'latest';
}

/** defaultResourceList rounds each quantity up to milli-units and rewrites it canonically (SetDefaults_ResourceList). */
export function defaultResourceList(list: unknown): void {
  if (!isPlainObject(list)) return;
  for (const [k, v] of Object.entries(list)) {
    const q = tryParseQuantity(v);
    list[k] = typeof q === 'string' ? v : q.roundUpToMilli().toString();
  }
}

/** canonicalizeResourceList rewrites quantities canonically without rounding (for status and capacity maps). */
export function canonicalizeResourceList(list: unknown): void {
  if (!isPlainObject(list)) return;
  for (const [k, v] of Object.entries(list)) list[k] = canonicalQuantity(v);
}

function defaultHandler(h: LifecycleHandler | Probe | undefined): void {
  if (!h?.httpGet) return;
  h.httpGet.path ||= '/';
  h.httpGet.scheme ||= 'HTTP';
}

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  p.timeoutSeconds ||= 1;
  p.periodSeconds ||= 10;
  p.successThreshold ||= 1;
  p.failureThreshold ||= 3;
  defaultHandler(p);
}

function defaultEnv(env: EnvVar[] | undefined): void {
  for (const e of env ?? []) {
    const ref = e.valueFrom?.fieldRef;
    if (ref) ref.apiVersion ||= 'v1';
  }
}

/** defaultContainer applies SetDefaults_Container and the defaults of everything nested in it. */
export function defaultContainer(c: Container): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(c.image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ||= DEFAULT_TERMINATION_MESSAGE_PATH;
  c.terminationMessagePolicy ||= 'File';
  for (const p of c.ports ?? []) p.protocol ||= 'TCP';
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
  defaultEnv(c.env);
  if (c.resources) {
    defaultResourceList(c.resources.limits);
    defaultResourceList(c.resources.requests);
  }
}

const volumeSourceKeys = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'fc',
  'flexVolume', 'flocker', 'gcePersistentDisk', 'gitRepo', 'glusterfs', 'hostPath', 'image', 'iscsi', 'nfs', 'persistentVolumeClaim',
  'photonPersistentDisk', 'portworxVolume', 'projected', 'quobyte', 'rbd', 'scaleIO', 'secret', 'storageos', 'vsphereVolume',
];

/** VOLUME_SOURCE_KEYS lists the fields of a volume that name its source (exactly one may be set). */
export const VOLUME_SOURCE_KEYS: readonly string[] = volumeSourceKeys;

/** defaultVolume gives a source-less volume an emptyDir and fills file modes (0644) and token lifetimes. */
export function defaultVolume(v: Volume): void {
  const raw = v as unknown as Record<string, unknown>;
  if (!volumeSourceKeys.some((k) => raw[k] !== undefined && raw[k] !== null)) v.emptyDir = {};
  if (v.secret) v.secret.defaultMode ??= 0o644;
  if (v.configMap) v.configMap.defaultMode ??= 0o644;
  if (v.downwardAPI) {
    v.downwardAPI.defaultMode ??= 0o644;
    for (const item of v.downwardAPI.items ?? []) if (item.fieldRef) item.fieldRef.apiVersion ||= 'v1';
  }
  if (v.projected) {
    v.projected.defaultMode ??= 0o644;
    for (const s of v.projected.sources ?? []) {
      if (s.serviceAccountToken) s.serviceAccountToken.expirationSeconds ??= 3600;
      for (const item of s.downwardAPI?.items ?? []) if (item.fieldRef) item.fieldRef.apiVersion ||= 'v1';
    }
  }
  if (v.hostPath) v.hostPath.type ??= '';
  if (v.ephemeral?.volumeClaimTemplate?.spec) v.ephemeral.volumeClaimTemplate.spec.volumeMode ??= 'Filesystem';
}

/** defaultPodSpec applies SetDefaults_PodSpec and nested defaults; used for pods and pod templates alike. */
export function defaultPodSpec(spec: PodSpec | undefined): void {
  if (!isPlainObject(spec)) return;
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
  // The deprecated serviceAccount field mirrors serviceAccountName, as v1 conversion does.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const list of [spec.containers, spec.initContainers, spec.ephemeralContainers as Container[] | undefined]) {
    if (Array.isArray(list)) for (const c of list) if (isPlainObject(c)) defaultContainer(c);
  }
  if (Array.isArray(spec.volumes)) for (const v of spec.volumes) if (isPlainObject(v)) defaultVolume(v);
  if (spec.overhead) defaultResourceList(spec.overhead);
}

function requestsFromLimits(c: Container): void {
  const limits = c.resources?.limits;
  if (!c.resources || !isPlainObject(limits)) return;
  c.resources.requests ??= {};
  for (const [k, v] of Object.entries(limits)) if (!(k in c.resources.requests)) c.resources.requests[k] = v;
}

/**
 * defaultPodOnly applies SetDefaults_Pod: requests default to limits,
 * enableServiceLinks true, and host-network pods publish container ports as
 * host ports. Upstream keeps these out of templates on purpose.
 */
export function defaultPodOnly(spec: PodSpec | undefined): void {
  if (!isPlainObject(spec)) return;
  for (const list of [spec.containers, spec.initContainers]) {
    if (Array.isArray(list)) for (const c of list) if (isPlainObject(c)) requestsFromLimits(c);
  }
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork) {
    for (const list of [spec.containers, spec.initContainers]) {
      for (const c of list ?? []) for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
}
