// SPDX-License-Identifier: Apache-2.0
/**
 * The CRI as the kubelet sees it: two interfaces mirroring the gRPC services
 * RuntimeService and ImageService of runtime.v1 (k8s.io/cri-api). Requests and
 * responses keep the wire shapes of cri-types.ts, so a call reads like the
 * upstream RPC. `CriClient` implements both over gRPC; `FakeRuntime` in memory.
 * Every failure is a `CriError` (errors.ts).
 */
import type {
  AuthConfig, Container, ContainerConfig, ContainerFilter, ContainerStats, ContainerStatsFilter,
  ContainerStatusResponse, ExecSyncResponse, Image, ImageFsInfoResponse, ImageSpec, LinuxContainerResources,
  PodSandbox, PodSandboxConfig, PodSandboxFilter, PodSandboxStats, PodSandboxStatusResponse, StatusResponse,
  StringMap, VersionResponse, Int64,
} from './cri-types.js';

/** CallOptions bound one call: a deadline and/or an abort signal. */
export interface CallOptions {
  /** timeoutMs is the gRPC deadline; CriClient defaults to 2 minutes (kubelet's runtime-request-timeout). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** ExecRequest asks for a streaming URL to run a command in a container. */
export interface ExecRequest {
  container_id: string;
  cmd: string[];
  tty?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

/** AttachRequest asks for a streaming URL attached to a container's main process. */
export interface AttachRequest {
  container_id: string;
  stdin?: boolean;
  tty?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

/** RuntimeService is the CRI runtime service: sandboxes, containers, streaming, stats. */
export interface RuntimeService {
  version(opts?: CallOptions): Promise<VersionResponse>;
  status(req?: { verbose?: boolean }, opts?: CallOptions): Promise<StatusResponse>;

  runPodSandbox(req: { config: PodSandboxConfig; runtime_handler?: string }, opts?: CallOptions): Promise<{ pod_sandbox_id: string }>;
  stopPodSandbox(req: { pod_sandbox_id: string }, opts?: CallOptions): Promise<void>;
  removePodSandbox(req: { pod_sandbox_id: string }, opts?: CallOptions): Promise<void>;
  podSandboxStatus(req: { pod_sandbox_id: string; verbose?: boolean }, opts?: CallOptions): Promise<PodSandboxStatusResponse>;
  listPodSandbox(req?: { filter?: PodSandboxFilter }, opts?: CallOptions): Promise<{ items: PodSandbox[] }>;

  createContainer(
    req: { pod_sandbox_id: string; config: ContainerConfig; sandbox_config: PodSandboxConfig },
    opts?: CallOptions,
  ): Promise<{ container_id: string }>;
  startContainer(req: { container_id: string }, opts?: CallOptions): Promise<void>;
  /** stopContainer sends the stop signal, then SIGKILL after `timeout` seconds. */
  stopContainer(req: { container_id: string; timeout?: Int64 }, opts?: CallOptions): Promise<void>;
  removeContainer(req: { container_id: string }, opts?: CallOptions): Promise<void>;
  listContainers(req?: { filter?: ContainerFilter }, opts?: CallOptions): Promise<{ containers: Container[] }>;
  containerStatus(req: { container_id: string; verbose?: boolean }, opts?: CallOptions): Promise<ContainerStatusResponse>;
  updateContainerResources(
    req: { container_id: string; linux?: LinuxContainerResources; annotations?: StringMap },
    opts?: CallOptions,
  ): Promise<void>;
  reopenContainerLog(req: { container_id: string }, opts?: CallOptions): Promise<void>;

  /** execSync runs a command to completion; `timeout` is in seconds (0 = none). */
  execSync(req: { container_id: string; cmd: string[]; timeout?: Int64 }, opts?: CallOptions): Promise<ExecSyncResponse>;
  exec(req: ExecRequest, opts?: CallOptions): Promise<{ url: string }>;
  attach(req: AttachRequest, opts?: CallOptions): Promise<{ url: string }>;
  portForward(req: { pod_sandbox_id: string; port?: number[] }, opts?: CallOptions): Promise<{ url: string }>;

  containerStats(req: { container_id: string }, opts?: CallOptions): Promise<{ stats: ContainerStats | null }>;
  listContainerStats(req?: { filter?: ContainerStatsFilter }, opts?: CallOptions): Promise<{ stats: ContainerStats[] }>;
  podSandboxStats(req: { pod_sandbox_id: string }, opts?: CallOptions): Promise<{ stats: PodSandboxStats | null }>;
  listPodSandboxStats(
    req?: { filter?: { id?: string; label_selector?: StringMap } },
    opts?: CallOptions,
  ): Promise<{ stats: PodSandboxStats[] }>;
}

/** ImageService is the CRI image service. */
export interface ImageService {
  listImages(req?: { filter?: { image?: ImageSpec } }, opts?: CallOptions): Promise<{ images: Image[] }>;
  /** imageStatus answers `image: null` (not an error) when the image is absent, as upstream. */
  imageStatus(req: { image: ImageSpec; verbose?: boolean }, opts?: CallOptions): Promise<{ image: Image | null; info: StringMap }>;
  pullImage(
    req: { image: ImageSpec; auth?: AuthConfig; sandbox_config?: PodSandboxConfig },
    opts?: CallOptions,
  ): Promise<{ image_ref: string }>;
  removeImage(req: { image: ImageSpec }, opts?: CallOptions): Promise<void>;
  imageFsInfo(opts?: CallOptions): Promise<ImageFsInfoResponse>;
}
