// SPDX-License-Identifier: Apache-2.0
/**
 * `skiff up`, `skiff down`, `skiff status`: the friendly path. `up` checks
 * the machine, installs missing Debian packages when it can (or prints the
 * exact command), starts `skiff server` in the background with its data in
 * the standard place, waits for it with a progress line, merges a `skiff`
 * context into ~/.kube/config and says what to try next.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'node:https';
import { parse } from 'yaml';
import { parseCommandFlags } from './flags.js';

// The client and machinery surfaces are loaded only where they are used (merging the kubeconfig, quoting a log on
// failure): loaded at start they would be most of this command's modules and delay the spawn of the server.
const kubeconfigModule = () => import('../client/index.js');
const logTail = async (path: string, lines: number) => (await import('../machinery/index.js')).logTail(path, lines);

/** Debian packages the node agent needs, with the binary that shows each is present. */
export const REQUIRED_PACKAGES: { pkg: string; probe: string }[] = [
  { pkg: 'containerd', probe: 'containerd' },
  { pkg: 'runc', probe: 'runc' },
  { pkg: 'containernetworking-plugins', probe: '/usr/lib/cni/bridge' },
  { pkg: 'iptables', probe: 'iptables' },
  // The Ingress data plane (ingress-nginx's model: the controller writes nginx's configuration and reloads it).
  { pkg: 'nginx', probe: '/usr/sbin/nginx' },
];

const BIN = resolve(new URL('../../../bin/skiff', import.meta.url).pathname);

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** defaultDataDir is /var/lib/skiff as root, ~/.local/share/skiff otherwise (XDG data home). */
export function defaultDataDir(): string {
  if (isRoot()) return '/var/lib/skiff';
  return join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'skiff');
}

function userKubeconfig(): string {
  return process.env.KUBECONFIG?.split(':')[0] || join(homedir(), '.kube', 'config');
}

function have(probe: string): boolean {
  if (probe.startsWith('/')) return existsSync(probe);
  return spawnSync('sh', ['-c', `command -v ${probe}`], { stdio: 'ignore' }).status === 0;
}

/** missingPackages lists the required packages whose binaries are absent. */
export function missingPackages(): string[] {
  return REQUIRED_PACKAGES.filter((p) => !have(p.probe)).map((p) => p.pkg);
}

const POLICY_RC_D = '/usr/sbin/policy-rc.d';

/**
 * withoutServiceStarts keeps package scripts from starting the system services of what it installs (Debian's
 * policy-rc.d, exit 101): the nginx package would start the distribution's nginx on port 80, which Skiff's
 * Ingress serves with an nginx of its own. An existing policy-rc.d is the administrator's and is left alone.
 */
function withoutServiceStarts<T>(install: () => T): T {
  if (existsSync(POLICY_RC_D)) return install();
  writeFileSync(POLICY_RC_D, '#!/bin/sh\n# written by skiff up while it installs packages\nexit 101\n', { mode: 0o755 });
  try {
    return install();
  } finally {
    rmSync(POLICY_RC_D, { force: true });
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

function serverPid(dataDir: string): number | undefined {
  const f = join(dataDir, 'server.pid');
  if (!existsSync(f)) return undefined;
  const pid = Number(readFileSync(f, 'utf8').trim());
  if (!pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

interface AdminCreds {
  server: string;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

function adminCreds(dataDir: string): AdminCreds | undefined {
  const f = join(dataDir, 'kubeconfig.yaml');
  if (!existsSync(f)) return undefined;
  const d = parse(readFileSync(f, 'utf8'));
  return {
    server: d.clusters[0].cluster.server,
    ca: Buffer.from(d.clusters[0].cluster['certificate-authority-data'], 'base64'),
    cert: Buffer.from(d.users[0].user['client-certificate-data'], 'base64'),
    key: Buffer.from(d.users[0].user['client-key-data'], 'base64'),
  };
}

function get(c: AdminCreds, path: string): Promise<{ status: number; body: string }> {
  return new Promise((res) => {
    const req = request(new URL(path, c.server), { ca: c.ca, cert: c.cert, key: c.key, timeout: 2000 }, (r) => {
      let body = '';
      r.on('data', (d: Buffer) => (body += d.toString()));
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
    });
    req.on('error', () => res({ status: 0, body: '' }));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}


function die(message: string, code = 1): never {
  process.stderr.write(`skiff up: ${message}\n`);
  process.exit(code);
}

/** runUp is `skiff up`. */
export async function runUp(args: string[]): Promise<void> {
  const flags = parseCommandFlags(
    args,
    {
      'data-dir': { type: 'string', default: defaultDataDir(), usage: 'directory of the cluster\'s data and logs' },
      'https-port': { type: 'number', default: 6443, usage: 'port of the HTTPS API' },
      'no-install': { type: 'boolean', default: false, usage: 'do not install missing packages; say what is missing and stop' },
      timeout: { type: 'number', default: 120, usage: 'seconds to wait for the server to become ready' },
    },
    { name: 'skiff up', summary: 'Install what is missing, start a cluster in the background, and select its context in ~/.kube/config.' },
  );
  const dataDir = resolve(String(flags['data-dir']));
  const port = Number(flags['https-port']);
  if (process.platform !== 'linux') die(`Skiff runs containers with containerd on Linux; this is ${process.platform}.`);

  const running = serverPid(dataDir);
  if (running) {
    const creds = adminCreds(dataDir);
    if (creds && (await get(creds, '/readyz')).status === 200) {
      await mergeInto(creds);
      console.log(`Skiff is already up (pid ${running}) at ${creds.server}; nothing to do.`);
      console.log('Try: kubectl get nodes');
      return;
    }
  }

  const missing = missingPackages();
  if (missing.length) {
    const cmd = `apt-get install -y ${missing.join(' ')}`;
    if (!isRoot()) die(`missing packages: ${missing.join(', ')}. Install them with:\n  sudo apt-get update && sudo ${cmd}\nthen run 'sudo skiff up' (running containers needs root).`);
    if (flags['no-install']) die(`missing packages: ${missing.join(', ')}; install them with: ${cmd}`);
    console.log(`Installing ${missing.join(', ')} ...`);
    const upd = spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit' });
    const inst = withoutServiceStarts(() => spawnSync('apt-get', ['install', '-y', '-q', ...missing], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }));
    if (upd.status !== 0 || inst.status !== 0) die(`installing packages failed; try by hand: apt-get update && ${cmd}`);
  }
  if (!isRoot()) die(`running containers needs root: run 'sudo skiff up'.`);
  if (!(await portFree(port))) die(`port ${port} is already in use on 127.0.0.1; stop what uses it (ss -ltnp 'sport = :${port}') or pass --https-port`);

  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const free = statfsSync(dataDir);
  const freeGiB = (Number(free.bavail) * Number(free.bsize)) / 2 ** 30;
  if (freeGiB < 1) die(`only ${freeGiB.toFixed(2)} GiB free under ${dataDir}; Skiff needs at least 1 GiB for images and pods.`);

  const logFile = join(dataDir, 'server.log');
  const out = openSync(logFile, 'a');
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, 'server', '--data-dir', dataDir, '--https-port', String(port), '--cleanup-on-exit'], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();
  closeSync(out);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  // Loaded while the server starts, ready when it answers.
  void kubeconfigModule().catch(() => undefined);

  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let i = 0;
  const deadline = started + Number(flags.timeout) * 1000;
  for (;;) {
    if (exited !== null) die(`skiff server exited (${exited}) while starting. Last lines of ${logFile}:\n${await logTail(logFile, 15)}`);
    if (Date.now() > deadline) die(`skiff server did not become ready in ${flags.timeout}s. Last lines of ${logFile}:\n${await logTail(logFile, 15)}`);
    const creds = adminCreds(dataDir);
    if (creds && (await get(creds, '/readyz')).status === 200) {
      if (process.stdout.isTTY) process.stdout.write('\r');
      await mergeInto(creds);
      console.log(`Skiff is up at ${creds.server} (${((Date.now() - started) / 1000).toFixed(1)} s). Context "skiff" is selected in ${userKubeconfig()}.`);
      console.log(`Logs: ${logFile}\n\nTry:\n  kubectl get nodes\n  kubectl create deployment hello --image=nginx\n  skiff status     skiff down`);
      return;
    }
    if (process.stdout.isTTY) process.stdout.write(`\r${frames[i++ % frames.length]} starting Skiff (${Math.floor((Date.now() - started) / 1000)} s)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function mergeInto(c: AdminCreds): Promise<void> {
  const { mergeKubeconfig } = await kubeconfigModule();
  mergeKubeconfig(userKubeconfig(), {
    name: 'skiff',
    server: c.server,
    caCert: c.ca.toString(),
    clientCert: c.cert.toString(),
    clientKey: c.key.toString(),
  });
}

/** runDown is `skiff down [--purge]`. */
export async function runDown(args: string[]): Promise<void> {
  const flags = parseCommandFlags(
    args,
    { 'data-dir': { type: 'string', default: defaultDataDir(), usage: 'directory of the cluster\'s data and logs' }, purge: { type: 'boolean', default: false, usage: 'also delete the cluster\'s data' } },
    { name: 'skiff down', summary: 'Stop the cluster started by `skiff up`.' },
  );
  const dataDir = resolve(String(flags['data-dir']));
  const pid = serverPid(dataDir);
  if (pid) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 60_000;
    while (serverPid(dataDir) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (serverPid(dataDir)) {
      process.stderr.write(`skiff down: server ${pid} did not stop in 60 s; see ${join(dataDir, 'server.log')}\n`);
      process.exit(1);
    }
    console.log(`Skiff stopped (pid ${pid}).`);
  } else {
    console.log('Skiff is not running.');
  }
  if (flags.purge) {
    rmSync(dataDir, { recursive: true, force: true });
    console.log(`Removed ${dataDir}.`);
  }
}

/** runStatus is `skiff status`. */
export async function runStatus(args: string[]): Promise<void> {
  const flags = parseCommandFlags(
    args,
    { 'data-dir': { type: 'string', default: defaultDataDir(), usage: 'directory of the cluster\'s data and logs' } },
    { name: 'skiff status', summary: 'Show the server, its nodes and where the logs are.' },
  );
  const dataDir = resolve(String(flags['data-dir']));
  const pid = serverPid(dataDir);
  const logFile = join(dataDir, 'server.log');
  if (!pid) {
    console.log(`server: not running (data dir ${dataDir})`);
    if (existsSync(logFile)) console.log(`logs: ${logFile}`);
    process.exitCode = 3;
    return;
  }
  const creds = adminCreds(dataDir);
  const ready = creds ? (await get(creds, '/readyz')).status === 200 : false;
  console.log(`server: running (pid ${pid}) at ${creds?.server ?? '?'}, ${ready ? 'ready' : 'not ready'}`);
  if (creds && ready) {
    const nodes = await get(creds, '/api/v1/nodes');
    if (nodes.status === 200) {
      const list = JSON.parse(nodes.body) as { items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[] };
      console.log(`nodes: ${list.items.length}`);
      for (const n of list.items) {
        const r = n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
        console.log(`  ${n.metadata.name}  ${r === 'True' ? 'Ready' : r === 'False' ? 'NotReady' : 'Unknown'}`);
      }
    }
  }
  await printIngress(dataDir);
  console.log(`data: ${dataDir}\nlogs: ${logFile}`);
}

/** printIngress shows the node's Ingress data plane: nginx's pid and ports, and the condition of its last configuration. */
async function printIngress(dataDir: string): Promise<void> {
  const { readDataPlaneState, INGRESS_DATA_DIR } = await import('../ingress/index.js');
  const dir = join(dataDir, INGRESS_DATA_DIR);
  const state = readDataPlaneState(dir);
  if (!state) return console.log('ingress: not running on this node');
  const ports = `http ${state.httpPort}, https ${state.httpsPort}`;
  console.log(`ingress: nginx ${state.running ? `running (pid ${state.pid}, ${ports}, ${state.reloads ?? 0} reloads, ${state.restarts ?? 0} restarts)` : 'not running'}; config ${join(dir, 'nginx.conf')}`);
  for (const c of state.conditions) console.log(`  ${c.type}=${c.status} ${c.reason}: ${c.message}`);
}
