// Builds the dashboard's browser bundle into dist/ui: type-checks the UI
// (its own tsconfig: DOM and JSX) and bundles it with esbuild. Everything comes
// from node_modules, so the build needs no network; `npm ci` runs it.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const out = 'dist/ui';
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'src/dashboard/ui/tsconfig.json'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const result = await build({
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
  metafile: true,
});
writeFileSync(`${out}/index.html`, withModulePreloads(readFileSync('src/dashboard/ui/index.html', 'utf8'), result.metafile));
const css = readFileSync('src/dashboard/ui/style.css', 'utf8') + readFileSync(require.resolve('@xterm/xterm/css/xterm.css'), 'utf8');
writeFileSync(`${out}/app.css`, css);

/**
 * withModulePreloads names in the page every chunk app.js imports statically
 * (splitting moves code app.js shares with the lazy chunks into a chunk of its
 * own), so the browser fetches them alongside app.js instead of only after
 * app.js has arrived and been parsed: one round trip less before the first view.
 * Chunks app.js loads with import() stay out: they are loaded on first use.
 */
function withModulePreloads(html, metafile) {
  const outputs = metafile.outputs;
  const seen = new Set();
  const visit = (file) => {
    for (const imp of outputs[file]?.imports ?? []) {
      if (imp.kind !== 'import-statement' || seen.has(imp.path)) continue;
      seen.add(imp.path);
      visit(imp.path);
    }
  };
  visit(`${out}/app.js`);
  const links = [...seen].map((p) => `<link rel="modulepreload" href="./${p.slice(out.length + 1)}">`).join('\n');
  if (!links) return html;
  if (!html.includes('</head>')) throw new Error('src/dashboard/ui/index.html has no </head> to put the module preloads before');
  return html.replace('</head>', `${links}\n</head>`);
}

// The benchmark reports these sizes (bundle size is one of the dashboard's goals).
const sizes = {};
for (const f of readdirSync(out).filter((f) => /\.(js|css|html)$/.test(f))) {
  const body = readFileSync(`${out}/${f}`);
  sizes[f] = { bytes: statSync(`${out}/${f}`).size, gzip: gzipSync(body).length };
}
writeFileSync(`${out}/sizes.json`, JSON.stringify(sizes));
