// Builds the dashboard's browser bundle into dist/ui: type-checks the UI
// (its own tsconfig: DOM and JSX) and bundles it with esbuild. Everything comes
// from node_modules, so the build needs no network; `npm ci` runs it.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const out = 'dist/ui';
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'src/dashboard/ui/tsconfig.json'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

await build({
  entryPoints: ['src/dashboard/ui/main.tsx'],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  // The terminal and the YAML editor load their libraries on first use, as separate chunks.
  splitting: true,
  outdir: out,
  entryNames: 'app',
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
});
copyFileSync('src/dashboard/ui/index.html', `${out}/index.html`);
const css = readFileSync('src/dashboard/ui/style.css', 'utf8') + readFileSync(require.resolve('@xterm/xterm/css/xterm.css'), 'utf8');
writeFileSync(`${out}/app.css`, css);

// The benchmark reports these sizes (bundle size is one of the dashboard's goals).
const sizes = {};
for (const f of readdirSync(out).filter((f) => /\.(js|css|html)$/.test(f))) {
  const body = readFileSync(`${out}/${f}`);
  sizes[f] = { bytes: statSync(`${out}/${f}`).size, gzip: gzipSync(body).length };
}
writeFileSync(`${out}/sizes.json`, JSON.stringify(sizes));
