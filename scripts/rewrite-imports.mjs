#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
/**
 * Routes imports between the top-level folders of src/ through the target
 * folder's index.ts (the rule `npm run lint` checks; see ARCHITECTURE.md).
 *
 * For every import or re-export in src/<A>/ (tests excluded) whose
 * specifier resolves into src/<B>/ past src/<B>/index.ts, it
 *   1. adds `export { name } from './deep/file.js'` to src/<B>/index.ts for
 *      each name used that the index does not export yet (creating the index
 *      when missing), and
 *   2. rewrites the specifier to src/<B>/index.js.
 * A name the index already exports from a different module is a collision:
 * the import is left alone and reported, to be resolved by hand.
 *
 * Re-runnable: a second run finds nothing to do. Usage:
 *   node scripts/rewrite-imports.mjs          rewrite in place
 *   node scripts/rewrite-imports.mjs --check  only report (exit 1 when work is left)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const CHECK = process.argv.includes('--check');
// Tests and their fixtures may reach into a folder to exercise its internals.
const isTest = (f) => /(\.test|\.suite|-fixture)\.ts$/.test(f);

/** folderOf names the top-level folder of src/ a file is in ('' for files directly in src/). */
function folderOf(file) {
  const rel = relative(SRC, file).split(sep);
  return rel.length > 1 ? rel[0] : '';
}

function loadProgram() {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  return ts.createProgram({ rootNames: config.fileNames, options: config.options });
}

/** resolveSpecifier maps a relative `.js` specifier to the .ts file it names. */
function resolveSpecifier(from, spec) {
  if (!spec.startsWith('.')) return undefined;
  const p = normalize(join(dirname(from), spec));
  const ts_ = p.replace(/\.js$/, '.ts');
  return existsSync(ts_) ? ts_ : undefined;
}

function relSpecifier(from, toTs) {
  let r = relative(dirname(from), toTs).split(sep).join('/').replace(/\.ts$/, '.js');
  if (!r.startsWith('.')) r = `./${r}`;
  return r;
}

/** crossings finds the imports/re-exports of src/ files that bypass another folder's index.ts. */
function crossings(program) {
  const out = [];
  for (const sf of program.getSourceFiles()) {
    const file = normalize(sf.fileName);
    if (!file.startsWith(SRC + sep) || isTest(file)) continue;
    const a = folderOf(file);
    for (const st of sf.statements) {
      if (!(ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) || !st.moduleSpecifier || !ts.isStringLiteral(st.moduleSpecifier)) continue;
      const target = resolveSpecifier(file, st.moduleSpecifier.text);
      if (!target || !target.startsWith(SRC + sep)) continue;
      const b = folderOf(target);
      if (!b || b === a) continue;
      const index = join(SRC, b, 'index.ts');
      if (target === index) continue;
      out.push({ sf, file, st, target, index, b });
    }
  }
  // Dynamic import('../b/deep.js') would load a module past the surface too; report them.
  return out;
}

/** namesOf lists what a declaration takes from its module: [{ name, typeOnly }], or null for shapes the codemod leaves to a person. */
function namesOf(st) {
  if (ts.isImportDeclaration(st)) {
    const c = st.importClause;
    if (!c) return null; // side-effect import
    if (c.name) return null; // default import
    const b = c.namedBindings;
    if (!b) return [];
    if (ts.isNamespaceImport(b)) return null;
    return b.elements.map((e) => ({ name: (e.propertyName ?? e.name).text, typeOnly: c.isTypeOnly || e.isTypeOnly }));
  }
  if (!st.exportClause || !ts.isNamedExports(st.exportClause)) return null; // export * from
  return st.exportClause.elements.map((e) => ({ name: (e.propertyName ?? e.name).text, typeOnly: st.isTypeOnly || e.isTypeOnly }));
}

function originOf(checker, sym) {
  let s = sym;
  for (let i = 0; i < 20 && s && s.flags & ts.SymbolFlags.Alias; i++) s = checker.getAliasedSymbol(s);
  return s;
}

function run() {
  const program = loadProgram();
  const checker = program.getTypeChecker();
  const found = crossings(program);
  /** additions: index file -> Map(target module -> Map(name -> needsValue)) */
  const additions = new Map();
  /** exported: index file -> Map(name -> origin symbol), including what this run adds */
  const exported = new Map();
  const rewrites = new Map(); // file -> [{ start, end, text }]
  const problems = [];

  const exportsOfIndex = (index) => {
    if (exported.has(index)) return exported.get(index);
    const m = new Map();
    const sf = program.getSourceFile(index);
    const modSym = sf && checker.getSymbolAtLocation(sf);
    if (modSym) for (const e of checker.getExportsOfModule(modSym)) m.set(e.name, originOf(checker, e));
    exported.set(index, m);
    return m;
  };

  for (const c of found) {
    const names = namesOf(c.st);
    const where = `${relative(ROOT, c.file)}: ${c.st.moduleSpecifier.text}`;
    if (names === null) {
      problems.push(`${where}: default, namespace, side-effect or star import; route it by hand`);
      continue;
    }
    const targetSf = program.getSourceFile(c.target);
    const targetSym = targetSf && checker.getSymbolAtLocation(targetSf);
    if (!targetSym) {
      problems.push(`${where}: cannot read the module`);
      continue;
    }
    const targetExports = new Map(checker.getExportsOfModule(targetSym).map((e) => [e.name, e]));
    const idx = exportsOfIndex(c.index);
    let ok = true;
    const wanted = [];
    for (const { name } of names) {
      const sym = targetExports.get(name);
      if (!sym) {
        problems.push(`${where}: ${name} is not exported there`);
        ok = false;
        continue;
      }
      const origin = originOf(checker, sym);
      const have = idx.get(name);
      if (have && have !== origin) {
        problems.push(`${where}: ${name} collides with another ${name} in ${relative(ROOT, c.index)}`);
        ok = false;
        continue;
      }
      // A class or const is exported as a value even when this importer only needs its type: another may need the value.
      if (!have) wanted.push({ name, origin, value: Boolean(origin.flags & ts.SymbolFlags.Value) });
    }
    if (!ok) continue;
    for (const w of wanted) {
      idx.set(w.name, w.origin);
      const byModule = additions.get(c.index) ?? new Map();
      additions.set(c.index, byModule);
      const names_ = byModule.get(c.target) ?? new Map();
      byModule.set(c.target, names_);
      names_.set(w.name, w.value);
    }
    const lit = c.st.moduleSpecifier;
    const list = rewrites.get(c.file) ?? [];
    rewrites.set(c.file, list);
    list.push({ start: lit.getStart(c.sf) + 1, end: lit.getEnd() - 1, text: relSpecifier(c.file, c.index) });
  }

  if (CHECK) {
    for (const [file, list] of rewrites) for (const r of list) console.log(`deep import: ${relative(ROOT, file)} -> ${r.text}`);
    for (const p of problems) console.log(`by hand: ${p}`);
    process.exit(rewrites.size || problems.length ? 1 : 0);
  }

  for (const [index, byModule] of additions) {
    let text = existsSync(index) ? readFileSync(index, 'utf8') : `// SPDX-License-Identifier: Apache-2.0\n/** The surface of src/${folderOf(index)}: what other components may import. */\n`;
    if (!text.endsWith('\n')) text += '\n';
    for (const [target, names] of [...byModule].sort(([a], [b]) => a.localeCompare(b))) {
      const parts = [...names].sort(([a], [b]) => a.localeCompare(b)).map(([n, value]) => (value ? n : `type ${n}`));
      text += `export { ${parts.join(', ')} } from '${relSpecifier(index, target)}';\n`;
    }
    writeFileSync(index, text);
    console.log(`${relative(ROOT, index)}: ${[...byModule.values()].reduce((n, m) => n + m.size, 0)} names exported`);
  }
  let count = 0;
  for (const [file, list] of rewrites) {
    let text = readFileSync(file, 'utf8');
    for (const r of list.sort((x, y) => y.start - x.start)) text = text.slice(0, r.start) + r.text + text.slice(r.end);
    writeFileSync(file, text);
    count += list.length;
  }
  console.log(`${count} imports in ${rewrites.size} files now go through index.ts`);
  for (const p of problems) console.log(`by hand: ${p}`);
}

run();
