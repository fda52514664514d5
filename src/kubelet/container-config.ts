// SPDX-License-Identifier: Apache-2.0
/**
 * The CRI ContainerConfig of one container, as upstream
 * kuberuntime_container.go generateContainerConfig builds it: command and
 * args with $(VAR) expansion, environment, mounts (volumes with subPath,
 * /etc/hosts, the termination message file), the log path
 * `<container>/<restartCount>.log`, resources and the security context
 * (with the runAsNonRoot check against the image user).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerConfig, Image, LinuxContainerSecurityContext, Mount, MountPropagation } from './cri/cri-types.js';
import {
  CONTAINER_IMAGE_ANNOTATION, CONTAINER_KIND_ANNOTATION, CONTAINER_NAME_LABEL, RESTART_COUNT_ANNOTATION,
  TERMINATION_MESSAGE_HOST_ANNOTATION, TERMINATION_MESSAGE_PATH_ANNOTATION, podIdentityLabels,
} from './cri-labels.js';
import { expandVars } from './container-env.js';
import { containerLinuxResources } from './pod-resources.js';
import { namespaceOptions } from './sandbox-config.js';

/** ContainerConfigInput is everything besides the pod and container that goes into a ContainerConfig. */
export interface ContainerConfigInput {
  kind: 'init' | 'app' | 'ephemeral';
  /** targetContainerId is the running container an ephemeral container shares its process namespace with (targetContainerName). */
  targetContainerId?: string;
  attempt: number;
  imageRef: string;
  image: Image | null;
  env: { key: string; value: string }[];
  volumes: Map<string, string>;
  /** podDir is `<dataDir>/pods/<uid>` (termination message files live under it). */
  podDir: string;
  /** etcHosts is the host path of the pod's managed /etc/hosts, if any. */
  etcHosts?: string;
  memoryCapacityBytes: number;
}

/** containerConfig builds the CreateContainer config; throws Error with upstream's message on a config problem. */
export function containerConfig(pod: Pod, c: Container, input: ContainerConfigInput): ContainerConfig {
  const vars = new Map(input.env.map((e) => [e.key, e.value]));
  const termPath = c.terminationMessagePath ?? '/dev/termination-log';
  const termHost = join(input.podDir, 'containers', c.name, `${input.attempt}-termination-log`);
  mkdirSync(join(input.podDir, 'containers', c.name), { recursive: true });
  return {
    metadata: { name: c.name, attempt: input.attempt },
    image: { image: input.imageRef, user_specified_image: c.image },
    command: (c.command ?? []).map((s) => expandVars(s, vars)),
    args: (c.args ?? []).map((s) => expandVars(s, vars)),
    working_dir: c.workingDir ?? '',
    envs: input.env,
    mounts: [...volumeMounts(pod, c, input, vars), ...extraMounts(pod, c, input, termPath, termHost)],
    labels: { ...podIdentityLabels(pod), [CONTAINER_NAME_LABEL]: c.name },
    annotations: {
      [RESTART_COUNT_ANNOTATION]: String(input.attempt),
      [TERMINATION_MESSAGE_PATH_ANNOTATION]: termPath,
      [TERMINATION_MESSAGE_HOST_ANNOTATION]: termHost,
      [CONTAINER_IMAGE_ANNOTATION]: c.image ?? '',
      [CONTAINER_KIND_ANNOTATION]: input.kind,
    },
    log_path: `${c.name}/${input.attempt}.log`,
    stdin: c.stdin ?? false,
    stdin_once: c.stdinOnce ?? false,
    tty: c.tty ?? false,
    linux: {
      resources: containerLinuxResources(pod, c, input.memoryCapacityBytes),
      security_context: withTarget(securityContext(pod, c, input.image), input.targetContainerId),
    },
  };
}

const PROPAGATION: Record<string, MountPropagation> = {
  HostToContainer: 'PROPAGATION_HOST_TO_CONTAINER',
  Bidirectional: 'PROPAGATION_BIDIRECTIONAL',
};

function volumeMounts(pod: Pod, c: Container, input: ContainerConfigInput, vars: Map<string, string>): Mount[] {
  const out: Mount[] = [];
  for (const m of c.volumeMounts ?? []) {
    const base = input.volumes.get(m.name);
    if (!base) throw new Error(`cannot find volume "${m.name}" to mount into container "${c.name}"`);
    let host = base;
    const sub = m.subPathExpr ? expandVars(m.subPathExpr, vars) : m.subPath;
    if (sub) {
      if (sub.split('/').includes('..') || sub.startsWith('/')) throw new Error(`subPath "${sub}" must be a relative path without ..`);
      host = join(base, sub);
      mkdirSync(host, { recursive: true });
    }
    out.push({ container_path: m.mountPath, host_path: host, readonly: m.readOnly ?? false, propagation: PROPAGATION[m.mountPropagation ?? ''] ?? 'PROPAGATION_PRIVATE' });
  }
  return out;
}

function extraMounts(pod: Pod, c: Container, input: ContainerConfigInput, termPath: string, termHost: string): Mount[] {
  const out: Mount[] = [];
  const mounted = new Set((c.volumeMounts ?? []).map((m) => m.mountPath));
  // Upstream mounts its managed /etc/hosts unless the pod uses the host network or mounts its own.
  if (input.etcHosts && !pod.spec?.hostNetwork && !mounted.has('/etc/hosts')) {
    out.push({ container_path: '/etc/hosts', host_path: input.etcHosts });
  }
  if (termPath && !mounted.has(termPath)) out.push({ container_path: termPath, host_path: termHost });
  return out;
}

/** securityContext merges pod and container security contexts and enforces runAsNonRoot (upstream verifyRunAsNonRoot). */
export function securityContext(pod: Pod, c: Container, image: Image | null): LinuxContainerSecurityContext {
  const psc = pod.spec?.securityContext;
  const sc = c.securityContext;
  const runAsUser = sc?.runAsUser ?? psc?.runAsUser;
  const runAsGroup = sc?.runAsGroup ?? psc?.runAsGroup;
  if (sc?.runAsNonRoot ?? psc?.runAsNonRoot) verifyNonRoot(pod, c, runAsUser, image);
  return {
    privileged: sc?.privileged ?? false,
    capabilities: { add_capabilities: sc?.capabilities?.add ?? [], drop_capabilities: sc?.capabilities?.drop ?? [] },
    namespace_options: namespaceOptions(pod),
    run_as_user: runAsUser !== undefined ? { value: runAsUser } : undefined,
    run_as_group: runAsGroup !== undefined ? { value: runAsGroup } : undefined,
    readonly_rootfs: sc?.readOnlyRootFilesystem ?? false,
    supplemental_groups: [...(psc?.supplementalGroups ?? []), ...(psc?.fsGroup !== undefined ? [psc.fsGroup] : [])],
    no_new_privs: sc?.allowPrivilegeEscalation === false,
  };
}

function verifyNonRoot(pod: Pod, c: Container, runAsUser: number | undefined, image: Image | null): void {
  const podName = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  if (runAsUser !== undefined) {
    if (runAsUser === 0) throw new Error(`container's runAsUser breaks non-root policy (pod: "${podName}", container: ${c.name})`);
    return;
  }
  const uid = image?.uid?.value;
  if (uid === undefined || uid === null || uid === '') {
    if (image?.username) throw new Error(`container has runAsNonRoot and image has non-numeric user (${image.username}), cannot verify user is non-root (pod: "${podName}", container: ${c.name})`);
    throw new Error(`container has runAsNonRoot and image will run as root (pod: "${podName}", container: ${c.name})`);
  }
  if (Number(uid) === 0) throw new Error(`container has runAsNonRoot and image will run as root (pod: "${podName}", container: ${c.name})`);
}

// Upstream kuberuntime_container.go: an ephemeral container with a target joins that container's PID namespace (NamespaceMode TARGET).
function withTarget(sc: LinuxContainerSecurityContext, targetId: string | undefined): LinuxContainerSecurityContext {
  if (!targetId) return sc;
  return { ...sc, namespace_options: { ...sc.namespace_options, pid: 'TARGET', target_id: targetId } };
}
