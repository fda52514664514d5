// SPDX-License-Identifier: Apache-2.0
/**
 * An A/B HTTP load for comparing two paths on a shared, loaded machine: one
 * load generator process (in the client's network namespace) runs short
 * slices against A and B in the order A B B A A B ..., after a warm-up
 * against both, so a neighbour's burst lands on both paths alike and neither
 * always runs first. Each request opens a new connection (what a pod calling
 * another pod's Service without keep-alive does). Figures are medians over
 * slices: requests/s per path, and the B÷A ratio of adjacent slices (taken
 * under the same load); p99 is over all requests of a path.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

/** SLICED_LOADGEN runs in the client netns; argv: targetA targetB sliceSeconds slices concurrency warmupSeconds. */
const SLICED_LOADGEN = `
const http = require('http');
const [a, b, sliceS, slices, conc, warmS] = process.argv.slice(1);
// The machine's busy CPU time (user, nice, system, irq, softirq, steal) in µs, from /proc/stat (USER_HZ 100).
function busyUs() {
  const f = require('fs').readFileSync('/proc/stat', 'utf8').split(String.fromCharCode(10))[0].trim().split(' ').filter(Boolean).slice(1).map(Number);
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) * 1e4;
}
function run(target, seconds) {
  const [host, port] = target.split(':');
  const busy0 = busyUs();
  const lat = []; const end = Date.now() + Number(seconds) * 1000;
  function one() {
    if (Date.now() >= end) return Promise.resolve();
    const t = process.hrtime.bigint();
    return new Promise((resolve) => {
      http.get({ host, port, path: '/', agent: false }, (res) => { res.resume(); res.on('end', () => { lat.push(Number(process.hrtime.bigint() - t) / 1e6); resolve(); }); })
        .on('error', () => resolve());
    }).then(one);
  }
  const t0 = Date.now();
  return Promise.all(Array.from({ length: Number(conc) }, one)).then(() => ({ rps: lat.length / ((Date.now() - t0) / 1000), lat, cpuUs: (busyUs() - busy0) / Math.max(1, lat.length) }));
}
(async () => {
  await run(a, warmS); await run(b, warmS);
  const out = [];
  for (let i = 0; i < Number(slices); i++) {
    const first = i % 2 === 0 ? (Math.floor(i / 2) % 2 === 0 ? 'A' : 'B') : out[out.length - 1].path === 'A' ? 'B' : 'A';
    const r = await run(first === 'A' ? a : b, sliceS);
    out.push({ path: first, rps: r.rps, cpuUs: r.cpuUs, lat: r.lat.map((x) => Math.round(x * 1000) / 1000) });
  }
  console.log(JSON.stringify(out));
})();
`;

/** PathFigures are one path's medians. */
export interface PathFigures {
  rps: number;
  p50: number;
  p99: number;
  /** cpuUs is the whole machine's busy CPU time per request (median over slices): every process and the kernel's packet work. */
  cpuUs: number;
}

/** ABResult holds both paths and the median of adjacent-slice ratios (B÷A). */
export interface ABResult {
  a: PathFigures;
  b: PathFigures;
  rpsRatio: number;
  p99Ratio: number;
  /**
   * cpuRatio is A's CPU per request over B's (median of adjacent slices). When the machine's cores are what limits
   * both paths, B's throughput cannot exceed this fraction of A's, whatever B's path is made of.
   */
  cpuRatio: number;
  slices: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** abLoad runs the sliced A/B load from inside the network namespace file `netns`. */
export function abLoad(netns: string, a: string, b: string, o: { sliceSeconds: number; slices: number; concurrency: number; warmupSeconds: number }): ABResult {
  const out = execFileSync('nsenter', [`--net=${netns}`, process.execPath, '-e', SLICED_LOADGEN, a, b, String(o.sliceSeconds), String(o.slices), String(o.concurrency), String(o.warmupSeconds)], { maxBuffer: 256 << 20 }).toString();
  const slices = JSON.parse(out) as { path: 'A' | 'B'; rps: number; cpuUs: number; lat: number[] }[];
  // For looking at the slices one by one (order, outliers): SKIFF_BENCH_SLICES_OUT=file.
  if (process.env.SKIFF_BENCH_SLICES_OUT) writeFileSync(process.env.SKIFF_BENCH_SLICES_OUT, JSON.stringify(slices.map((s) => ({ path: s.path, rps: Math.round(s.rps), p50: quantile(s.lat, 0.5), p99: quantile(s.lat, 0.99) }))));
  const fig = (p: 'A' | 'B'): PathFigures => {
    const mine = slices.filter((s) => s.path === p);
    const lat = mine.flatMap((s) => s.lat);
    return { rps: median(mine.map((s) => s.rps)), p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), cpuUs: median(mine.map((s) => s.cpuUs)) };
  };
  // Slices come in adjacent A/B pairs (A B, B A, ...): each pair ran under the same neighbours.
  const ratios: number[] = [];
  const p99s: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i + 1 < slices.length; i += 2) {
    const [x, y] = slices[i].path === 'A' ? [slices[i], slices[i + 1]] : [slices[i + 1], slices[i]];
    if (x.rps > 0) ratios.push(y.rps / x.rps);
    if (x.lat.length && y.lat.length) p99s.push(quantile(y.lat, 0.99) / quantile(x.lat, 0.99));
    if (y.cpuUs > 0) cpus.push(x.cpuUs / y.cpuUs);
  }
  return { a: fig('A'), b: fig('B'), rpsRatio: median(ratios), p99Ratio: median(p99s), cpuRatio: median(cpus), slices: slices.length };
}
