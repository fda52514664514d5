// SPDX-License-Identifier: Apache-2.0
/**
 * FakeRuntime is an in-memory CRI runtime for kubelet unit tests. It keeps
 * sandboxes, containers and images with the same state machine and errors as
 * containerd's CRI plugin (NotFound for unknown IDs, FailedPrecondition for
 * starting a container twice, images never pulled implicitly), records every
 * call for action assertions, and lets a test inject failures and exits.
 */
import type { AttachRequest, CallOptions, ExecRequest, RuntimeService } from './runtime-service.js';
import type * as cri from './cri-types.js';
import { CriError } from './errors.js';
import { FakeImageService } from './fake-image-service.js';
import { containerItem, containerStatus, fakeStats, sandboxItem, sandboxStats, sandboxStatus } from './fake-messages.js';
import { matchesLabels, nowNs, type FakeContainer, type FakeSandbox } from './fake-records.js';

export type { FakeCall } from './fake-records.js';

/** FakeExecHandler answers ExecSync for a test; the default answers exit 0 with no output. */
export type FakeExecHandler = (containerId: string, cmd: string[]) => cri.ExecSyncResponse;

/** FakeRuntimeOptions preload the fake. */
export interface FakeRuntimeOptions {
  /** images are image references present from the start (as if imported). */
  images?: string[];
  /** podCIDRPrefix gives sandbox IPs, e.g. '10.88.0.' (default); hosts count up from .2. */
  podCIDRPrefix?: string;
}

/** FakeRuntime implements RuntimeService and (through FakeImageService) ImageService in memory. */
export class FakeRuntime extends FakeImageService implements RuntimeService {
  /** execHandler answers ExecSync. */
  execHandler: FakeExecHandler = () => ({ stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exit_code: 0 });

  readonly #sandboxes = new Map<string, FakeSandbox>();
  readonly #containers = new Map<string, FakeContainer>();
  readonly #ipPrefix: string;
  #nextHost = 2;

  constructor(options: FakeRuntimeOptions = {}) {
    super();
    this.#ipPrefix = options.podCIDRPrefix ?? '10.88.0.';
    for (const ref of options.images ?? []) this.addImage(ref);
  }

  // ---------------------------------------------------------------- test controls

  /** exitContainer simulates a running container's main process ending. */
  exitContainer(containerId: string, exitCode: number, reason = exitCode === 0 ? 'Completed' : 'Error'): void {
    const c = this.#container('ExitContainer', containerId);
    Object.assign(c, { state: 'CONTAINER_EXITED', exitCode, reason, finishedAt: nowNs() });
  }

  /** sandboxIds and containerIds list what exists now. */
  get sandboxIds(): string[] {
    return [...this.#sandboxes.keys()];
  }
  get containerIds(): string[] {
    return [...this.#containers.keys()];
  }

  #sandbox(method: string, id: string): FakeSandbox {
    const s = this.#sandboxes.get(id);
    if (!s) throw new CriError('NotFound', method, `an error occurred when try to find sandbox "${id}": not found`);
    return s;
  }

  #container(method: string, id: string): FakeContainer {
    const c = this.#containers.get(id);
    if (!c) throw new CriError('NotFound', method, `an error occurred when try to find container "${id}": not found`);
    return c;
  }

  #newId(): string {
    return this.nextSeq().toString(16).padStart(64, 'f');
  }

  // ---------------------------------------------------------------- RuntimeService

  async version(_opts?: CallOptions): Promise<cri.VersionResponse> {
    this.record('Version', {});
    return { version: '0.1.0', runtime_name: 'fake', runtime_version: '0.1.0', runtime_api_version: 'v1' };
  }

  async status(req: { verbose?: boolean } = {}, _opts?: CallOptions): Promise<cri.StatusResponse> {
    this.record('Status', req);
    const ready = (type: string): cri.RuntimeCondition => ({ type, status: true, reason: '', message: '' });
    return { status: { conditions: [ready('RuntimeReady'), ready('NetworkReady')] }, info: {} };
  }

  async runPodSandbox(req: { config: cri.PodSandboxConfig; runtime_handler?: string }, _opts?: CallOptions) {
    this.record('RunPodSandbox', req);
    const id = this.#newId();
    const hostNetwork = req.config.linux?.security_context?.namespace_options?.network === 'NODE';
    const ip = hostNetwork ? '' : `${this.#ipPrefix}${this.#nextHost++}`;
    this.#sandboxes.set(id, { id, config: req.config, state: 'SANDBOX_READY', createdAt: nowNs(), ip });
    return { pod_sandbox_id: id };
  }

  async stopPodSandbox(req: { pod_sandbox_id: string }, _opts?: CallOptions): Promise<void> {
    this.record('StopPodSandbox', req);
    // containerd 1.6 answers NotFound for an unknown sandbox (the kubelet tolerates it).
    const s = this.#sandbox('StopPodSandbox', req.pod_sandbox_id);
    for (const c of this.#containers.values()) {
      if (c.sandboxId === s.id && c.state === 'CONTAINER_RUNNING') this.exitContainer(c.id, 137, 'Error');
    }
    s.state = 'SANDBOX_NOTREADY';
  }

  async removePodSandbox(req: { pod_sandbox_id: string }, _opts?: CallOptions): Promise<void> {
    this.record('RemovePodSandbox', req);
    // Like containerd 1.6: removing an unknown sandbox succeeds, a ready one is stopped first.
    const s = this.#sandboxes.get(req.pod_sandbox_id);
    if (!s) return;
    for (const c of [...this.#containers.values()]) if (c.sandboxId === s.id) this.#containers.delete(c.id);
    this.#sandboxes.delete(s.id);
  }

  async podSandboxStatus(req: { pod_sandbox_id: string; verbose?: boolean }, _opts?: CallOptions) {
    this.record('PodSandboxStatus', req);
    const s = this.#sandbox('PodSandboxStatus', req.pod_sandbox_id);
    return { status: sandboxStatus(s), info: {}, containers_statuses: [], timestamp: String(nowNs()) };
  }

  async listPodSandbox(req: { filter?: cri.PodSandboxFilter } = {}, _opts?: CallOptions) {
    this.record('ListPodSandbox', req);
    const f = req.filter;
    const items = [...this.#sandboxes.values()]
      .filter((s) => (!f?.id || s.id === f.id) && (!f?.state || s.state === f.state.state))
      .filter((s) => matchesLabels(s.config.labels, f?.label_selector))
      .map(sandboxItem);
    return { items };
  }

  async createContainer(
    req: { pod_sandbox_id: string; config: cri.ContainerConfig; sandbox_config: cri.PodSandboxConfig },
    _opts?: CallOptions,
  ) {
    this.record('CreateContainer', req);
    const s = this.#sandbox('CreateContainer', req.pod_sandbox_id);
    if (s.state !== 'SANDBOX_READY') {
      throw new CriError('Unknown', 'CreateContainer', `sandbox container "${s.id}" is not running`);
    }
    const image = this.findImage(req.config.image.image);
    if (!image) {
      throw new CriError('NotFound', 'CreateContainer', `failed to resolve image "${req.config.image.image}": not found`);
    }
    const id = this.#newId();
    this.#containers.set(id, {
      id, sandboxId: s.id, config: req.config, imageId: image.id, state: 'CONTAINER_CREATED',
      createdAt: nowNs(), startedAt: 0n, finishedAt: 0n, exitCode: 0, reason: '',
      resources: req.config.linux?.resources ?? {},
    });
    return { container_id: id };
  }

  async startContainer(req: { container_id: string }, _opts?: CallOptions): Promise<void> {
    this.record('StartContainer', req);
    const c = this.#container('StartContainer', req.container_id);
    if (c.state !== 'CONTAINER_CREATED') {
      throw new CriError('Unknown', 'StartContainer', `container "${c.id}" is in ${c.state} state`);
    }
    Object.assign(c, { state: 'CONTAINER_RUNNING', startedAt: nowNs() });
  }

  async stopContainer(req: { container_id: string; timeout?: cri.Int64 }, _opts?: CallOptions): Promise<void> {
    this.record('StopContainer', req);
    const c = this.#container('StopContainer', req.container_id);
    if (c.state === 'CONTAINER_RUNNING') this.exitContainer(c.id, 137, 'Error');
  }

  async removeContainer(req: { container_id: string }, _opts?: CallOptions): Promise<void> {
    this.record('RemoveContainer', req);
    const c = this.#containers.get(req.container_id);
    if (!c) return; // upstream: removing a missing container succeeds
    if (c.state === 'CONTAINER_RUNNING') {
      throw new CriError('Unknown', 'RemoveContainer', `container "${c.id}" is running, stop it first`);
    }
    this.#containers.delete(c.id);
  }

  async listContainers(req: { filter?: cri.ContainerFilter } = {}, _opts?: CallOptions) {
    this.record('ListContainers', req);
    const f = req.filter;
    const containers = [...this.#containers.values()]
      .filter((c) => (!f?.id || c.id === f.id) && (!f?.pod_sandbox_id || c.sandboxId === f.pod_sandbox_id))
      .filter((c) => (!f?.state || c.state === f.state.state) && matchesLabels(c.config.labels, f?.label_selector))
      .map(containerItem);
    return { containers };
  }

  async containerStatus(req: { container_id: string; verbose?: boolean }, _opts?: CallOptions) {
    this.record('ContainerStatus', req);
    const c = this.#container('ContainerStatus', req.container_id);
    const logDir = this.#sandboxes.get(c.sandboxId)?.config.log_directory ?? '';
    return { status: containerStatus(c, logDir), info: {} };
  }

  async updateContainerResources(
    req: { container_id: string; linux?: cri.LinuxContainerResources; annotations?: cri.StringMap },
    _opts?: CallOptions,
  ): Promise<void> {
    this.record('UpdateContainerResources', req);
    const c = this.#container('UpdateContainerResources', req.container_id);
    c.resources = { ...c.resources, ...req.linux };
  }

  async reopenContainerLog(req: { container_id: string }, _opts?: CallOptions): Promise<void> {
    this.record('ReopenContainerLog', req);
    const c = this.#container('ReopenContainerLog', req.container_id);
    if (c.state !== 'CONTAINER_RUNNING') {
      throw new CriError('Unknown', 'ReopenContainerLog', 'container is not running');
    }
  }

  async execSync(req: { container_id: string; cmd: string[]; timeout?: cri.Int64 }, _opts?: CallOptions) {
    this.record('ExecSync', req);
    this.#running('ExecSync', req.container_id);
    return this.execHandler(req.container_id, req.cmd);
  }

  async exec(req: ExecRequest, _opts?: CallOptions) {
    this.record('Exec', req);
    this.#running('Exec', req.container_id);
    return { url: `http://127.0.0.1:0/exec/fake-${this.nextSeq()}` };
  }

  async attach(req: AttachRequest, _opts?: CallOptions) {
    this.record('Attach', req);
    this.#running('Attach', req.container_id);
    return { url: `http://127.0.0.1:0/attach/fake-${this.nextSeq()}` };
  }

  async portForward(req: { pod_sandbox_id: string; port?: number[] }, _opts?: CallOptions) {
    this.record('PortForward', req);
    this.#sandbox('PortForward', req.pod_sandbox_id);
    return { url: `http://127.0.0.1:0/portforward/fake-${this.nextSeq()}` };
  }

  #running(method: string, id: string): FakeContainer {
    const c = this.#container(method, id);
    if (c.state !== 'CONTAINER_RUNNING') {
      throw new CriError('Unknown', method, `container ${id} is in ${c.state} state`);
    }
    return c;
  }

  async containerStats(req: { container_id: string }, _opts?: CallOptions) {
    this.record('ContainerStats', req);
    return { stats: fakeStats(this.#container('ContainerStats', req.container_id)) };
  }

  async listContainerStats(req: { filter?: cri.ContainerStatsFilter } = {}, _opts?: CallOptions) {
    this.record('ListContainerStats', req);
    const f = req.filter;
    const stats = [...this.#containers.values()]
      .filter((c) => (!f?.id || c.id === f.id) && (!f?.pod_sandbox_id || c.sandboxId === f.pod_sandbox_id))
      .filter((c) => matchesLabels(c.config.labels, f?.label_selector))
      .map(fakeStats);
    return { stats };
  }

  async podSandboxStats(req: { pod_sandbox_id: string }, _opts?: CallOptions) {
    this.record('PodSandboxStats', req);
    return { stats: sandboxStats(this.#sandbox('PodSandboxStats', req.pod_sandbox_id), this.#containers.values()) };
  }

  async listPodSandboxStats(req: { filter?: { id?: string; label_selector?: cri.StringMap } } = {}, _opts?: CallOptions) {
    this.record('ListPodSandboxStats', req);
    const f = req.filter;
    const stats = [...this.#sandboxes.values()]
      .filter((s) => (!f?.id || s.id === f.id) && matchesLabels(s.config.labels, f?.label_selector))
      .map((s) => sandboxStats(s, this.#containers.values()));
    return { stats };
  }

  // ---------------------------------------------------------------- ImageService
}
