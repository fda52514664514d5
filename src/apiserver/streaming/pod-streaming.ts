// SPDX-License-Identifier: Apache-2.0
/**
 * PodStreaming serves the streaming pod subresources on the API server:
 * `pods/log` (proxied to the kubelet's /containerLogs as text/plain) and
 * `pods/exec`, `pods/attach`, `pods/portforward` over WebSocket upgrades
 * (spliced to the kubelet's /exec, /attach, /portForward, which speak
 * kubectl's protocols). It checks what upstream's pod REST storage checks
 * first: the pod exists, is bound to a node, and the container is valid.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/index.js';
import { R, type Client } from '../../client/index.js';
import { newBadRequest, StatusError } from '../../machinery/index.js';
import { parseResourcePath, type ResourceRequestInfo } from '../http/request-info.js';
import type { PodConnector } from '../http/resource-handler.js';
import { writeUpgradeError } from '../http/response.js';
import type { UserInfo } from '../registry/request-context.js';
import { LogOptionsError, logOptionsQuery, parseLogOptions } from '../../api/index.js';
import type { KubeletClient } from './kubelet-client.js';
import { queryBool } from '../../machinery/index.js';

const UPGRADED = new Set(['exec', 'attach', 'portforward']);
const KUBELET_PATHS: Record<string, string> = { exec: 'exec', attach: 'attach', portforward: 'portForward' };

/** PodStreamingOptions wire PodStreaming to the cluster. */
export interface PodStreamingOptions {
  client: Client;
  kubelets: KubeletClient;
  log?: (msg: string) => void;
}

/** PodStreaming is the API server's PodConnector plus its WebSocket upgrade handler. */
export class PodStreaming implements PodConnector {
  constructor(private readonly opts: PodStreamingOptions) {}

  /** connect serves pods/log; the upgraded subresources need an upgrade request. */
  async connect(req: IncomingMessage, res: ServerResponse, info: ResourceRequestInfo, pod: KubeObject): Promise<void> {
    const p = pod as Pod;
    const q = new URL(req.url ?? '/', 'https://localhost').searchParams;
    if (info.subresource === 'log') return this.#log(req, res, p, q);
    if (info.subresource && UPGRADED.has(info.subresource)) throw newBadRequest('Upgrade request required');
    throw new StatusError(503, 'ServiceUnavailable', `${info.subresource} is not supported for pods on this server`);
  }

  async #log(req: IncomingMessage, res: ServerResponse, pod: Pod, q: URLSearchParams): Promise<void> {
    const container = containerFor(pod, q.get('container'), true);
    let opts;
    try {
      opts = parseLogOptions(q);
    } catch (err) {
      if (err instanceof LogOptionsError) throw newBadRequest(err.message);
      throw err;
    }
    // podUID pins this incarnation, so a recreated pod of the same name never shows its predecessor's logs.
    const query = logOptionsQuery(opts);
    if (pod.metadata?.uid) query.set('podUID', pod.metadata.uid);
    const path = `/containerLogs/${enc(pod.metadata?.namespace)}/${enc(pod.metadata?.name)}/${enc(container)}?${query}`;
    const abort = new AbortController();
    req.on('close', () => abort.abort());
    res.on('close', () => abort.abort());
    const up = await this.opts.kubelets.get(pod.spec!.nodeName!, path, abort.signal);
    const status = up.statusCode ?? 502;
    res.writeHead(status, { 'Content-Type': up.headers['content-type'] ?? 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    up.pipe(res);
    await new Promise<void>((resolve) => {
      up.on('end', resolve);
      up.on('error', () => resolve());
      res.on('close', resolve);
    });
  }

  /** upgradeHandler serves exec/attach/portforward upgrades; it answers false for anything else. */
  readonly upgradeHandler = async (req: IncomingMessage, socket: Socket, head: Buffer, _user: UserInfo): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const info = parseResourcePath(req.method ?? 'GET', url.pathname, url.searchParams);
    if (!info || info.group !== '' || info.resource !== 'pods' || !info.name || !info.subresource || !UPGRADED.has(info.subresource)) return false;
    try {
      const pod = (await this.opts.client.get(R.pods, info.name, { namespace: info.namespace })) as Pod;
      const nodeName = pod.spec?.nodeName;
      if (!nodeName) throw newBadRequest(`pod ${info.name} does not have a host assigned`);
      const path = kubeletPath(info.subresource, pod, url.searchParams);
      await this.opts.kubelets.upgrade(nodeName, path, req, socket, head);
    } catch (err) {
      writeUpgradeError(socket, err, this.opts.log);
    }
    return true;
  };
}

/** kubeletPath builds upstream's kubelet path with the pod's uid (`/exec/{ns}/{pod}/{uid}/{container}`). */
function kubeletPath(sub: string, pod: Pod, q: URLSearchParams): string {
  const base = `/${KUBELET_PATHS[sub]}/${enc(pod.metadata?.namespace)}/${enc(pod.metadata?.name)}/${enc(pod.metadata?.uid)}`;
  if (sub === 'portforward') {
    const ports = q.getAll('ports').flatMap((p) => p.split(','));
    return `${base}?${ports.map((p) => `port=${enc(p)}`).join('&')}`;
  }
  // Decoded as PodExecOptions/PodAttachOptions and passed on as "1", as upstream's streamParams does.
  const out = new URLSearchParams();
  for (const k of ['stdin', 'stdout', 'stderr', 'tty']) if (queryBool(q, k)) out.set(k, '1');
  if (sub === 'exec') {
    const cmd = q.getAll('command');
    if (cmd.length === 0) throw newBadRequest('you must specify at least one command for the container');
    for (const c of cmd) out.append('command', c);
  }
  return `${base}/${enc(containerFor(pod, q.get('container'), false))}?${out}`;
}

/**
 * containerFor picks the container a request names, defaulting to the only
 * one, with upstream's messages (pkg/registry/core/pod/strategy.go).
 */
export function containerFor(pod: Pod, requested: string | null, withInit: boolean): string {
  const name = pod.metadata?.name ?? '';
  const regular = (pod.spec?.containers ?? []).map((c) => c.name);
  const init = (pod.spec?.initContainers ?? []).map((c) => c.name);
  const ephemeral = (pod.spec?.ephemeralContainers ?? []).map((c) => c.name);
  if (!requested) {
    if (regular.length === 1) return regular[0];
    const initPart = withInit && init.length ? ` or one of the init containers: [${init.join(' ')}]` : '';
    throw newBadRequest(`a container name must be specified for pod ${name}, choose one of: [${regular.join(' ')}]${initPart}`);
  }
  if ([...regular, ...init, ...ephemeral].includes(requested)) return requested;
  throw newBadRequest(`container ${requested} is not valid for pod ${name}`);
}

function enc(s: string | undefined): string {
  return encodeURIComponent(s ?? '');
}


