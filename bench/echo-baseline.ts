// SPDX-License-Identifier: Apache-2.0
/**
 * The HTTPS echo baseline of the API server benchmark and the way it is
 * compared: the echo server (https-echo-server.ts) runs in its own process
 * with the API server's TLS settings and answers with a real API answer's
 * bytes, and the API server and the echo are measured in alternating rounds
 * with the same client, so both see the same machine load.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { client, concurrent, percentile, warm, type Creds } from './https-client.js';

type Call = ReturnType<typeof client>;

/** EchoServer is a running echo baseline and a client connected to it. */
export interface EchoServer {
  pid: number;
  call: Call;
  stop(): Promise<void>;
}

/** startEcho starts the echo process answering `body` with the serving certificate in tlsDir. */
export async function startEcho(creds: Creds, tlsDir: string, body: string, scratchDir: string): Promise<EchoServer> {
  const bodyFile = join(scratchDir, 'echo-body.json');
  writeFileSync(bodyFile, body);
  const child = spawn(process.execPath, [new URL('./https-echo-server.js', import.meta.url).pathname, tlsDir, bodyFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /\{"port":(\d+)\}/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`echo server exited with ${code}`)));
  });
  const call = client({ ...creds, url: `https://127.0.0.1:${port}` });
  await warm(call);
  return {
    pid: child.pid!,
    call,
    stop: () =>
      new Promise((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
      }),
  };
}

/** Side is one of the two compared servers: its process (for CPU time) and the request it answers. */
export interface Side {
  pid: number;
  op: (i: number) => Promise<unknown>;
}

/** SideFigures are one side's latencies over all its rounds, rate and CPU time per request. */
export interface SideFigures {
  p50: number;
  p99: number;
  perSecond: number;
  cpuMicrosPerRequest: number;
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** cpuMs is a process's utime+stime so far, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/**
 * alternate runs `rounds` rounds of `perRound` requests at `concurrency` on
 * each side, A then B in even rounds and B then A in odd ones, and gives
 * each side's figures over all its rounds. Request numbers run on across
 * rounds, so names stay unique.
 */
export async function alternate(rounds: number, perRound: number, concurrency: number, a: Side, b: Side): Promise<[SideFigures, SideFigures]> {
  const acc = [a, b].map(() => ({ lat: [] as number[], seconds: 0, cpu: 0, next: 0 }));
  for (let r = 0; r < rounds; r++) {
    for (const s of r % 2 ? [1, 0] : [0, 1]) {
      const side = s === 0 ? a : b;
      const st = acc[s]!;
      const base = st.next;
      const cpu0 = cpuMs(side.pid);
      const run = await concurrent(concurrency, perRound, (i) => side.op(base + i));
      st.cpu += cpuMs(side.pid) - cpu0;
      st.lat.push(...run.lat);
      st.seconds += run.seconds;
      st.next += perRound;
    }
  }
  const figures = (st: (typeof acc)[number]): SideFigures => ({
    p50: percentile(st.lat, 50),
    p99: percentile(st.lat, 99),
    perSecond: st.lat.length / st.seconds,
    cpuMicrosPerRequest: (st.cpu * 1000) / st.lat.length,
  });
  return [figures(acc[0]!), figures(acc[1]!)];
}
