// Runs every compiled test file (unit, integration, end-to-end) with node's
// built-in runner. Files run in parallel processes; end-to-end suites share
// clusters inside one file where isolation allows.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(dir, out = []) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (e.endsWith('.test.js')) out.push(p);
  }
  return out;
}

// Any number of substrings: a file runs when its path contains one of them.
const filters = process.argv.slice(2);
let files = [...findTests('dist/src'), ...findTests('dist/test')].sort();
if (filters.length > 0) files = files.filter((f) => filters.some((filter) => f.includes(filter)));
if (files.length === 0) {
  console.error('no test files found under dist/ (did the build run?)');
  process.exit(1);
}
const concurrency = process.env.SKIFF_TEST_CONCURRENCY ?? '4';
const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=600000', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
