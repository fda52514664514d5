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
import { parse } from 'yaml';

const REPO = resolve(new URL('../../..', import.meta.url).pathname);
export const SKIFF_BIN = join(REPO, 'bin', 'skiff');

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ServerHandle {
  dataDir: string;
  kubeconfig: string;
  url: string;
  process: ChildProcess;
  /** logs holds what the server wrote to stderr so far. */
  logs(): string;
  kubectl(args: string[], opts?: { input?: string; env?: Record<string, string>; timeoutMs?: number }): KubectlResult;
  /** kubectlOk runs kubectl and throws with its output when it fails. */
  kubectlOk(args: string[], opts?: { input?: string; env?: Record<string, string> }): string;
  /** request sends an authenticated HTTPS request with the admin credentials. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** kill -9 the server, keeping the data dir (for durability tests). */
  kill(): Promise<void>;
}

export interface StartOptions {
  args?: string[];
  dataDir?: string;
  keepDataDir?: boolean;
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
  const child = spawn(process.execPath, [SKIFF_BIN, 'server', '--data-dir', dataDir, '--https-port', '0', '--disable-agent', ...(opts.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const deadline = Date.now() + 30_000;
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
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolveReq({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
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
