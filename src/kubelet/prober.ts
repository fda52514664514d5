// SPDX-License-Identifier: Apache-2.0
/**
 * runProbe executes one probe attempt as upstream pkg/kubelet/prober does:
 * exec through CRI ExecSync with the probe timeout (exit 0 passes), httpGet
 * from the node to the pod IP (2xx/3xx passes, User-Agent kube-probe),
 * tcpSocket (a completed connect passes) and grpc (grpc.health.v1 Check
 * answering SERVING passes). The output is what an Unhealthy event shows.
 */
import { connect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import * as grpc from '@grpc/grpc-js';
import type { Container, Probe } from 'kubernetes-types/core/v1.js';
import type { RuntimeService } from './cri/runtime-service.js';

/** ProbeResult is the outcome of one attempt. */
export interface ProbeResult {
  ok: boolean;
  output: string;
}

/** ProbeTarget is what a probe runs against. */
export interface ProbeTarget {
  runtime: RuntimeService;
  containerId: string;
  podIP: string;
  container: Container;
}

const USER_AGENT = 'kube-probe/1.32';

/** resolvePort turns a number or a named container port into a port number. */
export function resolvePort(port: number | string | undefined, c: Container): number {
  if (typeof port === 'number') return port;
  if (port && /^\d+$/.test(port)) return Number(port);
  const named = c.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`couldn't find port: ${port} in container ${c.name}`);
  return named.containerPort;
}

/** runProbe runs one attempt of probe against target. */
export async function runProbe(probe: Probe, t: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.exec) return await execProbe(probe.exec.command ?? [], timeoutMs, t);
    if (probe.httpGet) return await httpProbe(probe, timeoutMs, t);
    if (probe.tcpSocket) return await tcpProbe(probe.tcpSocket.host || t.podIP, resolvePort(probe.tcpSocket.port as number | string, t.container), timeoutMs);
    if (probe.grpc) return await grpcProbe(t.podIP, probe.grpc.port, probe.grpc.service ?? '', timeoutMs);
  } catch (err) {
    return { ok: false, output: (err as Error).message };
  }
  return { ok: false, output: 'missing probe handler' };
}

async function execProbe(cmd: string[], timeoutMs: number, t: ProbeTarget): Promise<ProbeResult> {
  try {
    const r = await t.runtime.execSync(
      { container_id: t.containerId, cmd, timeout: Math.ceil(timeoutMs / 1000) },
      { timeoutMs: timeoutMs + 5000 },
    );
    const output = Buffer.concat([r.stdout ?? Buffer.alloc(0), r.stderr ?? Buffer.alloc(0)]).toString();
    return { ok: r.exit_code === 0, output };
  } catch (err) {
    const msg = (err as Error).message;
    if (/deadline|timeout|timed out/i.test(msg)) return { ok: false, output: `command ${JSON.stringify(cmd.join(' '))} timed out` };
    throw err;
  }
}

function httpProbe(probe: Probe, timeoutMs: number, t: ProbeTarget): Promise<ProbeResult> {
  const h = probe.httpGet!;
  const scheme = (h.scheme ?? 'HTTP').toLowerCase();
  const host = h.host || t.podIP;
  const port = resolvePort(h.port as number | string, t.container);
  const path = h.path ? (h.path.startsWith('/') ? h.path : `/${h.path}`) : '/';
  const headers: Record<string, string> = { 'User-Agent': USER_AGENT, Accept: '*/*' };
  for (const hd of h.httpHeaders ?? []) headers[hd.name] = hd.value;
  const send = scheme === 'https' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send({ host, port, path, method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        if (body.length < 10_240) body += d.toString();
      });
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 400) resolve({ ok: true, output: body });
        else resolve({ ok: false, output: `HTTP probe failed with statuscode: ${code}` });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`Get "${scheme}://${host}:${port}${path}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`)));
    req.on('error', (err) => resolve({ ok: false, output: err.message.startsWith('Get ') ? err.message : `Get "${scheme}://${host}:${port}${path}": ${err.message}` }));
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: timeoutMs });
    s.once('connect', () => {
      s.destroy();
      resolve({ ok: true, output: '' });
    });
    s.once('timeout', () => {
      s.destroy();
      resolve({ ok: false, output: `dial tcp ${host}:${port}: i/o timeout` });
    });
    s.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.message;
      resolve({ ok: false, output: `dial tcp ${host}:${port}: ${why}` });
    });
  });
}

// grpc.health.v1.HealthCheckRequest{service=1} and HealthCheckResponse{status=1}, encoded by hand (no .proto needed).
function encodeHealthRequest(service: string): Buffer {
  const s = Buffer.from(service);
  return s.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a, s.length]), s]);
}

function decodeHealthStatus(b: Buffer): number {
  return b.length >= 2 && b[0] === 0x08 ? b[1] : 0;
}

function grpcProbe(host: string, port: number, service: string, timeoutMs: number): Promise<ProbeResult> {
  const client = new grpc.Client(`${host}:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      encodeHealthRequest,
      decodeHealthStatus,
      service,
      new grpc.Metadata(),
      { deadline: Date.now() + timeoutMs },
      (err, status) => {
        client.close();
        if (err) resolve({ ok: false, output: `timeout: failed to connect service "${host}:${port}" within ${timeoutMs / 1000}s: ${err.details || err.message}` });
        else if (status === 1) resolve({ ok: true, output: '' });
        else resolve({ ok: false, output: `service unhealthy (responded with "${['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'][status ?? 0]}")` });
      },
    );
  });
}
