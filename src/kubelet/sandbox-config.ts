// SPDX-License-Identifier: Apache-2.0
/**
 * The CRI PodSandboxConfig of a pod, as upstream kuberuntime_sandbox.go
 * generatePodSandboxConfig builds it: identity labels plus the pod's labels,
 * hostname, the pod log directory, DNS, hostPort mappings, the pod cgroup
 * under its QoS class, namespace modes and the pod-level security context.
 */
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NamespaceOption, PodSandboxConfig, PortMapping, Protocol } from './cri/cri-types.js';
import { podIdentityLabels } from './cri-labels.js';
import { podDNSConfig, type ClusterDNS } from './pod-dns.js';
import { podQOSClass } from './pod-resources.js';

/** podLogDirName is upstream's `<namespace>_<name>_<uid>` directory name under the log root. */
export function podLogDirName(pod: Pod): string {
  return `${pod.metadata?.namespace}_${pod.metadata?.name}_${pod.metadata?.uid}`;
}

/** podCgroupParent is the cgroupfs path of a pod: `<root>/kubepods[/burstable|/besteffort]/pod<uid>`, as upstream's cgroupfs driver. */
export function podCgroupParent(cgroupRoot: string, pod: Pod): string {
  const qos = podQOSClass(pod);
  const qosDir = qos === 'Guaranteed' ? '' : `/${qos.toLowerCase()}`;
  return `${cgroupRoot}/kubepods${qosDir}/pod${pod.metadata?.uid}`;
}

/** namespaceOptions maps hostNetwork/hostPID/hostIPC/shareProcessNamespace to CRI namespace modes. */
export function namespaceOptions(pod: Pod): NamespaceOption {
  const s = pod.spec;
  return {
    network: s?.hostNetwork ? 'NODE' : 'POD',
    pid: s?.hostPID ? 'NODE' : s?.shareProcessNamespace ? 'POD' : 'CONTAINER',
    ipc: s?.hostIPC ? 'NODE' : 'POD',
  };
}

/** SandboxConfigInput is the node context a sandbox config needs. */
export interface SandboxConfigInput {
  logRoot: string;
  cgroupRoot: string;
  dns: ClusterDNS;
  attempt: number;
}

/** podSandboxConfig builds the sandbox config; CreateContainer must get the same object. */
export function podSandboxConfig(pod: Pod, input: SandboxConfigInput): PodSandboxConfig {
  const spec = pod.spec!;
  const dns = podDNSConfig(pod, input.dns);
  const ports: PortMapping[] = [];
  for (const c of spec.containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      ports.push({ protocol: (p.protocol ?? 'TCP') as Protocol, container_port: p.containerPort, host_port: p.hostPort, host_ip: p.hostIP ?? '' });
    }
  }
  const sc = spec.securityContext;
  const hostname = spec.hostNetwork ? '' : (spec.hostname ?? pod.metadata?.name ?? '').slice(0, 63);
  return {
    metadata: { name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? '', uid: pod.metadata?.uid ?? '', attempt: input.attempt },
    hostname,
    log_directory: join(input.logRoot, podLogDirName(pod)),
    dns_config: { servers: dns.servers, searches: dns.searches, options: dns.options },
    port_mappings: ports,
    labels: { ...(pod.metadata?.labels ?? {}), ...podIdentityLabels(pod) },
    annotations: { ...(pod.metadata?.annotations ?? {}) },
    linux: {
      cgroup_parent: podCgroupParent(input.cgroupRoot, pod),
      security_context: {
        namespace_options: namespaceOptions(pod),
        run_as_user: sc?.runAsUser !== undefined ? { value: sc.runAsUser } : undefined,
        run_as_group: sc?.runAsGroup !== undefined ? { value: sc.runAsGroup } : undefined,
        supplemental_groups: [...(sc?.supplementalGroups ?? []), ...(sc?.fsGroup !== undefined ? [sc.fsGroup] : [])],
      },
      sysctls: Object.fromEntries((sc?.sysctls ?? []).map((s) => [s.name, s.value])),
    },
  };
}
