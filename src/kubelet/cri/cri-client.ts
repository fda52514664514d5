// SPDX-License-Identifier: Apache-2.0
/**
 * CriClient speaks CRI runtime.v1 to a container runtime (containerd's CRI
 * plugin) over its unix socket with @grpc/grpc-js, loading our runtime.proto
 * with @grpc/proto-loader. It implements RuntimeService and ImageService; every
 * gRPC failure is translated once into a CriError.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { AttachRequest, CallOptions, ExecRequest, ImageService, RuntimeService } from './runtime-service.js';
import type * as cri from './cri-types.js';
import { CriError, toCriError } from './errors.js';

/** CRI_MAX_MESSAGE_BYTES is the largest gRPC message accepted, 16 MiB as the kubelet's remote runtime client. */
export const CRI_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

// Same default as the kubelet's --runtime-request-timeout (2m).
const DEFAULT_TIMEOUT_MS = 2 * 60 * 1000;

// keepCase: wire names (pod_sandbox_id); longs as decimal strings so ns timestamps and
// byte counts keep full precision; enums by name; zero values filled in on decode.
const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

/**
 * runtimeProtoPath finds runtime.proto. tsc does not copy .proto files, so from
 * dist/src/kubelet/cri/ we climb back to the source tree; when this module runs
 * from src/ (or the proto was copied next to it) the sibling file wins. A file on
 * disk keeps one source of truth for the wire contract, and `src/` ships in the
 * package, so both a checkout and an installed package resolve it.
 */
export function runtimeProtoPath(): string {
  const candidates = [
    new URL('./runtime.proto', import.meta.url),
    new URL('../../../../src/kubelet/cri/runtime.proto', import.meta.url),
  ].map((u) => fileURLToPath(u));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`runtime.proto not found; looked in ${candidates.join(', ')}`);
  return found;
}

let cachedPackage: grpc.GrpcObject | undefined;

function runtimeV1(): grpc.GrpcObject {
  if (!cachedPackage) {
    const def = protoLoader.loadSync(runtimeProtoPath(), LOADER_OPTIONS);
    const runtime = grpc.loadPackageDefinition(def).runtime as grpc.GrpcObject;
    cachedPackage = runtime.v1 as grpc.GrpcObject;
  }
  return cachedPackage;
}

// A unary method of a client made by loadPackageDefinition. The request and
// response are plain objects shaped by cri-types.ts; grpc-js types them as any.
type UnaryMethod = (
  req: object,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, res?: unknown) => void,
) => grpc.ClientUnaryCall;

/** CriClientOptions tune the connection. */
export interface CriClientOptions {
  /** readyTimeoutMs bounds how long connect() waits for the socket to accept a connection (default 10 s). */
  readyTimeoutMs?: number;
}

/** CriClient is a typed CRI client over a unix socket. Create it with CriClient.connect. */
export class CriClient implements RuntimeService, ImageService {
  readonly #runtime: grpc.Client;
  readonly #images: grpc.Client;

  private constructor(readonly socketPath: string) {
    const pkg = runtimeV1();
    const target = `unix://${socketPath}`;
    const channelOptions: grpc.ChannelOptions = {
      'grpc.max_receive_message_length': CRI_MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': CRI_MAX_MESSAGE_BYTES,
      // grpc-js backs off up to 2 minutes between reconnects by default; a local
      // runtime that restarts should be found again within a second.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
    };
    const Runtime = pkg.RuntimeService as grpc.ServiceClientConstructor;
    const Images = pkg.ImageService as grpc.ServiceClientConstructor;
    this.#runtime = new Runtime(target, grpc.credentials.createInsecure(), channelOptions);
    this.#images = new Images(target, grpc.credentials.createInsecure(), channelOptions);
  }

  /** connect opens a client for the runtime socket at socketPath and waits until it accepts a connection. */
  static async connect(socketPath: string, options: CriClientOptions = {}): Promise<CriClient> {
    const client = new CriClient(socketPath);
    const deadline = Date.now() + (options.readyTimeoutMs ?? 10_000);
    try {
      await new Promise<void>((resolve, reject) =>
        client.#runtime.waitForReady(deadline, (err) => (err ? reject(err) : resolve())),
      );
    } catch (err) {
      client.close();
      throw new CriError('Unavailable', 'connect', `cannot reach CRI socket ${socketPath}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return client;
  }

  /** close releases the gRPC channels. */
  close(): void {
    this.#runtime.close();
    this.#images.close();
  }

  #call<Res>(client: grpc.Client, method: string, req: object, opts: CallOptions = {}): Promise<Res> {
    const fn = (client as unknown as Record<string, UnaryMethod>)[method];
    if (typeof fn !== 'function') return Promise.reject(new CriError('Unimplemented', method, 'no such RPC in runtime.proto'));
    const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    return new Promise<Res>((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new CriError('Cancelled', method, 'aborted before the call'));
      const onAbort = () => call.cancel();
      const call = fn.call(client, req, { deadline }, (err, res) => {
        opts.signal?.removeEventListener('abort', onAbort);
        if (err) reject(toCriError(method, err));
        else resolve(res as Res);
      });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #rt<Res>(method: string, req: object, opts?: CallOptions): Promise<Res> {
    return this.#call<Res>(this.#runtime, method, req, opts);
  }

  #img<Res>(method: string, req: object, opts?: CallOptions): Promise<Res> {
    return this.#call<Res>(this.#images, method, req, opts);
  }

  // ---------------------------------------------------------------- RuntimeService

  version(opts?: CallOptions): Promise<cri.VersionResponse> {
    // "v1" is the CRI version the kubelet announces.
    return this.#rt('Version', { version: 'v1' }, opts);
  }
  status(req: { verbose?: boolean } = {}, opts?: CallOptions): Promise<cri.StatusResponse> {
    return this.#rt('Status', req, opts);
  }
  runPodSandbox(req: { config: cri.PodSandboxConfig; runtime_handler?: string }, opts?: CallOptions) {
    return this.#rt<{ pod_sandbox_id: string }>('RunPodSandbox', req, opts);
  }
  async stopPodSandbox(req: { pod_sandbox_id: string }, opts?: CallOptions): Promise<void> {
    await this.#rt('StopPodSandbox', req, opts);
  }
  async removePodSandbox(req: { pod_sandbox_id: string }, opts?: CallOptions): Promise<void> {
    await this.#rt('RemovePodSandbox', req, opts);
  }
  podSandboxStatus(req: { pod_sandbox_id: string; verbose?: boolean }, opts?: CallOptions) {
    return this.#rt<cri.PodSandboxStatusResponse>('PodSandboxStatus', req, opts);
  }
  listPodSandbox(req: { filter?: cri.PodSandboxFilter } = {}, opts?: CallOptions) {
    return this.#rt<{ items: cri.PodSandbox[] }>('ListPodSandbox', req, opts);
  }
  createContainer(
    req: { pod_sandbox_id: string; config: cri.ContainerConfig; sandbox_config: cri.PodSandboxConfig },
    opts?: CallOptions,
  ) {
    return this.#rt<{ container_id: string }>('CreateContainer', req, opts);
  }
  async startContainer(req: { container_id: string }, opts?: CallOptions): Promise<void> {
    await this.#rt('StartContainer', req, opts);
  }
  async stopContainer(req: { container_id: string; timeout?: cri.Int64 }, opts?: CallOptions): Promise<void> {
    await this.#rt('StopContainer', req, opts);
  }
  async removeContainer(req: { container_id: string }, opts?: CallOptions): Promise<void> {
    await this.#rt('RemoveContainer', req, opts);
  }
  listContainers(req: { filter?: cri.ContainerFilter } = {}, opts?: CallOptions) {
    return this.#rt<{ containers: cri.Container[] }>('ListContainers', req, opts);
  }
  containerStatus(req: { container_id: string; verbose?: boolean }, opts?: CallOptions) {
    return this.#rt<cri.ContainerStatusResponse>('ContainerStatus', req, opts);
  }
  async updateContainerResources(
    req: { container_id: string; linux?: cri.LinuxContainerResources; annotations?: cri.StringMap },
    opts?: CallOptions,
  ): Promise<void> {
    await this.#rt('UpdateContainerResources', req, opts);
  }
  async reopenContainerLog(req: { container_id: string }, opts?: CallOptions): Promise<void> {
    await this.#rt('ReopenContainerLog', req, opts);
  }
  execSync(req: { container_id: string; cmd: string[]; timeout?: cri.Int64 }, opts?: CallOptions) {
    // The gRPC deadline must outlast the command's own timeout, as the kubelet does.
    const commandMs = Number(req.timeout ?? 0) * 1000;
    const timeoutMs = opts?.timeoutMs ?? (commandMs > 0 ? commandMs + DEFAULT_TIMEOUT_MS : undefined);
    return this.#rt<cri.ExecSyncResponse>('ExecSync', req, { ...opts, timeoutMs });
  }
  exec(req: ExecRequest, opts?: CallOptions) {
    return this.#rt<{ url: string }>('Exec', req, opts);
  }
  attach(req: AttachRequest, opts?: CallOptions) {
    return this.#rt<{ url: string }>('Attach', req, opts);
  }
  portForward(req: { pod_sandbox_id: string; port?: number[] }, opts?: CallOptions) {
    return this.#rt<{ url: string }>('PortForward', req, opts);
  }
  containerStats(req: { container_id: string }, opts?: CallOptions) {
    return this.#rt<{ stats: cri.ContainerStats | null }>('ContainerStats', req, opts);
  }
  listContainerStats(req: { filter?: cri.ContainerStatsFilter } = {}, opts?: CallOptions) {
    return this.#rt<{ stats: cri.ContainerStats[] }>('ListContainerStats', req, opts);
  }
  podSandboxStats(req: { pod_sandbox_id: string }, opts?: CallOptions) {
    return this.#rt<{ stats: cri.PodSandboxStats | null }>('PodSandboxStats', req, opts);
  }
  listPodSandboxStats(req: { filter?: { id?: string; label_selector?: cri.StringMap } } = {}, opts?: CallOptions) {
    return this.#rt<{ stats: cri.PodSandboxStats[] }>('ListPodSandboxStats', req, opts);
  }

  // ---------------------------------------------------------------- ImageService

  listImages(req: { filter?: { image?: cri.ImageSpec } } = {}, opts?: CallOptions) {
    return this.#img<{ images: cri.Image[] }>('ListImages', req, opts);
  }
  imageStatus(req: { image: cri.ImageSpec; verbose?: boolean }, opts?: CallOptions) {
    return this.#img<{ image: cri.Image | null; info: cri.StringMap }>('ImageStatus', req, opts);
  }
  pullImage(req: { image: cri.ImageSpec; auth?: cri.AuthConfig; sandbox_config?: cri.PodSandboxConfig }, opts?: CallOptions) {
    return this.#img<{ image_ref: string }>('PullImage', req, opts);
  }
  async removeImage(req: { image: cri.ImageSpec }, opts?: CallOptions): Promise<void> {
    await this.#img('RemoveImage', req, opts);
  }
  imageFsInfo(opts?: CallOptions) {
    return this.#img<cri.ImageFsInfoResponse>('ImageFsInfo', {}, opts);
  }
}
