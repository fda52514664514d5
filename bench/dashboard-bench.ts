// SPDX-License-Identifier: Apache-2.0
/**
 * Dashboard bundle: the bytes a browser loads for the first view (index.html,
 * app.js, app.css) against the whole bundle, plain and gzipped, as written by
 * scripts/build-dashboard.mjs. The terminal (xterm.js) and the YAML editor
 * are separate chunks loaded on first use, so the first view stays small.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIRST_VIEW = ['index.html', 'app.js', 'app.css'];

export async function runDashboardBench(): Promise<Record<string, number>> {
  const sizes = JSON.parse(readFileSync(fileURLToPath(new URL('../ui/sizes.json', import.meta.url)), 'utf8')) as Record<string, { bytes: number; gzip: number }>;
  const sum = (names: string[], k: 'bytes' | 'gzip') => names.reduce((s, n) => s + (sizes[n]?.[k] ?? 0), 0);
  const all = Object.keys(sizes);
  const first = { bytes: sum(FIRST_VIEW, 'bytes'), gzip: sum(FIRST_VIEW, 'gzip') };
  const total = { bytes: sum(all, 'bytes'), gzip: sum(all, 'gzip') };
  return {
    first_view_kib: first.bytes / 1024,
    first_view_gzip_kib: first.gzip / 1024,
    whole_bundle_kib: total.bytes / 1024,
    whole_bundle_gzip_kib: total.gzip / 1024,
    first_view_over_whole: first.bytes / total.bytes,
  };
}
