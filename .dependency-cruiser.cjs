// SPDX-License-Identifier: Apache-2.0
/**
 * Component boundaries of src/ (see ARCHITECTURE.md), checked by `npm run lint`.
 *
 * Layers, top to bottom; a folder imports only from its own layer's
 * shared libraries or from lower layers, never upward and never sideways
 * into another component:
 *
 *   cli
 *   server                      (composes the control plane)
 *   agent                       (composes one node: kubelet, proxy, networkpolicy, flannel)
 *   components                  apiserver controllers scheduler kubelet proxy dns ingress
 *                               networkpolicy flannel kwok storage-provisioner
 *   client storage              (talking to the API, persisting it)
 *   api                         (types and the logic components share about them)
 *   machinery, version.ts       (apimachinery: errors, selectors, patch engines, lifecycle)
 *   pki images netfilter        (leaf libraries: import nothing from src/)
 *
 * And: a file in src/<A>/ reaches src/<B>/ only through src/<B>/index.ts.
 */
const COMPONENTS = ['apiserver', 'controllers', 'scheduler', 'kubelet', 'proxy', 'dns', 'ingress', 'networkpolicy', 'flannel', 'kwok', 'storage-provisioner', 'dashboard', 'leaderelection', 'controlplane', 'etcd'];
const MIDDLE = ['client', 'storage'];
const LEAVES = ['pki', 'images', 'netfilter'];
const FOUNDATION = ['api', 'machinery', 'version\\.ts', ...LEAVES];
const KNOWN = ['cli', 'server', 'agent', ...COMPONENTS, ...MIDDLE, ...FOUNDATION];

const folders = (names) => `^src/(${names.join('|')})(/|$)`;
// Tests (colocated *.test.ts and *-fixture.ts, test/, bench/) exercise components from outside and are not part of the layering.
// The dashboard's browser code, and the few pure files below it that it bundles.
const BROWSER = '^src/dashboard/(ui|why)/';
const BROWSER_SAFE = ['^src/api/scheduling/pod-resources\\.ts$', '^src/api/validation/quantity\\.ts$'];
const TESTS = ['\\.test\\.ts$', '\\.suite\\.ts$', '-fixture\\.ts$', '^test/', '^bench/', '^scripts/'];

/** Each rule: files in `from` may not import anything in `to`. */
const layerRules = [
  { name: 'layer-server', from: folders(['server']), to: folders(['cli']) },
  { name: 'layer-agent', from: folders(['agent']), to: folders(['cli', 'server']) },
  { name: 'layer-components', from: folders(COMPONENTS), to: folders(['cli', 'server', 'agent']) },
  { name: 'layer-middle', from: folders(MIDDLE), to: folders(['cli', 'server', 'agent', ...COMPONENTS]) },
  { name: 'layer-foundation', from: folders(FOUNDATION), to: folders(['cli', 'server', 'agent', ...COMPONENTS, ...MIDDLE]) },
  // apimachinery knows no kinds: the API types build on it, not the other way round.
  { name: 'machinery-below-api', from: folders(['machinery', 'version\\.ts']), to: '^src/', pathNot: folders(['machinery']) },
  // Leaf libraries stand alone.
  ...LEAVES.map((l) => ({ name: `leaf-${l}`, from: folders([l]), to: '^src/', pathNot: folders([l]) })),
];

// Components do not reach into each other: what two share lives lower (api/, client/, node/) or is injected by server/.
const sideways = COMPONENTS.map((c) => ({
  name: `no-sideways-${c}`,
  from: folders([c]),
  to: folders(COMPONENTS.filter((o) => o !== c)),
}));

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'Import cycles make start-up order and lazy loading fragile.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'through-index',
      comment: 'A file in src/<A>/ imports from src/<B>/ only through src/<B>/index.ts.',
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: [...TESTS, BROWSER] },
      to: {
        path: '^src/([^/]+)/',
        pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'],
      },
    },
    {
      name: 'browser-code',
      comment:
        "The dashboard's browser bundle (ui/, and why/ which it shares with node tests) may not pull the api surface, " +
        'whose index loads node-only modules: it takes only these plain-TypeScript files from below.',
      severity: 'error',
      from: { path: BROWSER },
      to: { path: '^src/', pathNot: ['^src/dashboard/(ui|why)/', ...BROWSER_SAFE] },
    },
    {
      name: 'known-folders',
      comment: 'A new top-level folder of src/ must be placed in a layer here and in ARCHITECTURE.md.',
      severity: 'error',
      from: { path: '^src/', pathNot: [folders(KNOWN), ...TESTS] },
      to: {},
    },
    ...[...layerRules, ...sideways].map((r) => ({
      name: r.name,
      severity: 'error',
      from: { path: r.from, pathNot: TESTS },
      to: r.pathNot ? { path: r.to, pathNot: r.pathNot } : { path: r.to },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', 'node_modules'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
