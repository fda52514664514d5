// SPDX-License-Identifier: Apache-2.0
/**
 * Test harness: starts a real `skiff server` process in a temporary data dir
 * on a free port, waits for /readyz, and runs the real kubectl against it
 * with an isolated kubeconfig and discovery cache. stop() ends the process
 * and removes the data dir.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { parse } from 'yaml';

const REPO = resolve(new URL('../../..', import.meta.url).pathname);
export const SKIFF_BIN = join(REPO, 'bin', 'skiff');

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ServerHandle {
  /** agent is set when the server runs the node agent. */
  agent?: AgentInfo;
  dataDir: string;
  kubeconfig: string;
  url: string;
  process: ChildProcess;
  /** logs holds what the server wrote to stderr so far. */
  logs(): string;
  kubectl(args: string[], opts?: { input?: string; env?: Record<string, string>; timeoutMs?: number }): KubectlResult;
  /** kubectlOk runs kubectl and throws with its output when it fails. */
  kubectlOk(args: string[], opts?: { input?: string; env?: Record<string, string> }): string;
  /** request sends an authenticated HTTPS request with the admin credentials; `raw` is the body's bytes as received (before any decoding). */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string; raw: Buffer }>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** kill -9 the server, keeping the data dir (for durability tests). */
  kill(): Promise<void>;
}

export interface StartOptions {
  args?: string[];
  dataDir?: string;
  keepDataDir?: boolean;
  /**
   * agent runs the built-in node agent (real containerd pods; needs root).
   * The server then gets its own cluster and service ranges, so several test
   * servers on one machine never share routes or iptables rules, removes its
   * pods and host state on exit, and serves the Ingress on free loopback ports.
   */
  agent?: boolean;
}

/** AgentInfo says where an agent-running test server exposes node services. */
export interface AgentInfo {
  clusterCIDR: string;
  serviceCIDR: string;
  ingressHttpPort: number;
  ingressHttpsPort: number;
}

let rangeCounter = 0;

/** uniqueRanges picks cluster and service /16s unlikely to collide with other test servers (10.64-127 and 10.128-191). */
function uniqueRanges(): { clusterCIDR: string; serviceCIDR: string } {
  const k = (process.pid * 7 + rangeCounter++ * 13 + Math.floor(Math.random() * 64)) % 64;
  return { clusterCIDR: `10.${64 + k}.0.0/16`, serviceCIDR: `10.${128 + k}.0.0/16` };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface KubeconfigDoc {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
}

export async function startServer(opts: StartOptions = {}): Promise<ServerHandle> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'skiff-test-'));
  const cacheDir = mkdtempSync(join(tmpdir(), 'skiff-kubectl-cache-'));
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  rmSync(kubeconfig, { force: true });
  let agentInfo: AgentInfo | undefined;
  let nodeArgs = ['--disable-agent'];
  if (opts.agent) {
    const ranges = uniqueRanges();
    agentInfo = { ...ranges, ingressHttpPort: await freePort(), ingressHttpsPort: await freePort() };
    nodeArgs = [
      '--cleanup-on-exit', '--kubelet-port', '0',
      '--cluster-cidr', ranges.clusterCIDR, '--service-cidr', ranges.serviceCIDR,
      '--ingress-bind-address', '127.0.0.1', '--ingress-http-port', String(agentInfo.ingressHttpPort), '--ingress-https-port', String(agentInfo.ingressHttpsPort),
    ];
  }
  const child = spawn(process.execPath, [SKIFF_BIN, 'server', '--data-dir', dataDir, '--https-port', '0', ...nodeArgs, ...(opts.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const deadline = Date.now() + (opts.agent ? 120_000 : 30_000);
  let url = '';
  for (;;) {
    if (child.exitCode !== null) throw new Error(`skiff server exited with ${child.exitCode}:\n${logs}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`skiff server did not become ready:\n${logs}`);
    }
    if (!url && existsSync(kubeconfig) && /ready at (https:\/\/\S+);/.test(logs)) {
      url = /ready at (https:\/\/\S+);/.exec(logs)![1];
    }
    if (url) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  const doc = parse(readFileSync(kubeconfig, 'utf8')) as KubeconfigDoc;
  const ca = Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64');
  const cert = Buffer.from(doc.users[0].user['client-certificate-data'], 'base64');
  const key = Buffer.from(doc.users[0].user['client-key-data'], 'base64');
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: cacheDir, KUBECACHEDIR: join(cacheDir, 'cache') };
  const handle: ServerHandle = {
    agent: agentInfo,
    dataDir,
    kubeconfig,
    url,
    process: child,
    logs: () => logs,
    kubectl(args, o = {}) {
      const r = spawnSync('kubectl', [`--cache-dir=${join(cacheDir, 'cache')}`, ...args], {
        env: { ...env, ...(o.env ?? {}) },
        input: o.input,
        encoding: 'utf8',
        timeout: o.timeoutMs ?? 60_000,
      });
      return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    },
    kubectlOk(args, o) {
      const r = handle.kubectl(args, o);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
      return r.stdout;
    },
    request(method, path, body, headers = {}) {
      return new Promise((resolveReq, reject) => {
        const u = new URL(path, url);
        const data = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
        const req = request(
          u,
          { method, ca, cert, key, headers: { ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}), ...headers } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (d: Buffer) => chunks.push(d));
            res.on('end', () => {
              const raw = Buffer.concat(chunks);
              resolveReq({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString(), raw });
            });
          },
        );
        req.on('error', reject);
        if (data) req.write(data);
        req.end();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      const code = await exited;
      if (!opts.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
      rmSync(cacheDir, { recursive: true, force: true });
      return code;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
  return handle;
}
