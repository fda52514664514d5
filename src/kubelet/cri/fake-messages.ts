// SPDX-License-Identifier: Apache-2.0
/**
 * How FakeRuntime's records read as CRI messages: sandbox and container
 * statuses, list items and stats, filled field for field as the kubelet reads
 * them from containerd's CRI plugin.
 */
import type * as cri from './cri-types.js';
import { nowNs, type FakeContainer, type FakeSandbox } from './fake-records.js';

/** sandboxItem is a sandbox as ListPodSandbox reports it. */
export function sandboxItem(s: FakeSandbox): cri.PodSandbox {
  return {
    id: s.id, metadata: s.config.metadata, state: s.state, created_at: String(s.createdAt),
    labels: s.config.labels ?? {}, annotations: s.config.annotations ?? {}, runtime_handler: '',
  };
}

/** sandboxStatus is a sandbox as PodSandboxStatus reports it. */
export function sandboxStatus(s: FakeSandbox): cri.PodSandboxStatus {
  return {
    id: s.id, metadata: s.config.metadata, state: s.state, created_at: String(s.createdAt),
    network: { ip: s.ip, additional_ips: [] },
    linux: { namespaces: { options: s.config.linux?.security_context?.namespace_options ?? null } },
    labels: s.config.labels ?? {}, annotations: s.config.annotations ?? {}, runtime_handler: '',
  };
}

/** containerItem is a container as ListContainers reports it. */
export function containerItem(c: FakeContainer): cri.Container {
  return {
    id: c.id, pod_sandbox_id: c.sandboxId, metadata: c.config.metadata, image: c.config.image,
    image_ref: c.imageId, state: c.state, created_at: String(c.createdAt), labels: c.config.labels ?? {},
    annotations: c.config.annotations ?? {}, image_id: c.imageId,
  };
}

/** containerStatus is a container as ContainerStatus reports it; its log path is under its sandbox's log directory. */
export function containerStatus(c: FakeContainer, logDir: string): cri.ContainerStatus {
  return {
    id: c.id, metadata: c.config.metadata, state: c.state, created_at: String(c.createdAt),
    started_at: String(c.startedAt), finished_at: String(c.finishedAt), exit_code: c.exitCode,
    image: c.config.image, image_ref: c.imageId, reason: c.reason, message: '', labels: c.config.labels ?? {},
    annotations: c.config.annotations ?? {}, mounts: c.config.mounts ?? [],
    log_path: c.config.log_path && logDir ? `${logDir}/${c.config.log_path}` : '',
    resources: { linux: c.resources }, image_id: c.imageId,
  };
}

/** fakeStats are a container's stats: all usage zero. */
export function fakeStats(c: FakeContainer): cri.ContainerStats {
  const ts = String(nowNs());
  return {
    attributes: { id: c.id, metadata: c.config.metadata, labels: c.config.labels ?? {}, annotations: c.config.annotations ?? {} },
    cpu: { timestamp: ts, usage_core_nano_seconds: { value: '0' }, usage_nano_cores: { value: '0' } },
    memory: {
      timestamp: ts, working_set_bytes: { value: '0' }, available_bytes: null, usage_bytes: { value: '0' },
      rss_bytes: null, page_faults: null, major_page_faults: null,
    },
    writable_layer: null,
  };
}

/** sandboxStats are a sandbox's stats: its containers' stats, no sandbox-level usage. */
export function sandboxStats(s: FakeSandbox, containers: Iterable<FakeContainer>): cri.PodSandboxStats {
  return {
    attributes: { id: s.id, metadata: s.config.metadata, labels: s.config.labels ?? {}, annotations: s.config.annotations ?? {} },
    linux: { cpu: null, memory: null, network: null, process: null, containers: [...containers].filter((c) => c.sandboxId === s.id).map(fakeStats) },
  };
}
