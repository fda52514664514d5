/**
 * The dashboard's shell: log in (a bearer token, or nothing behind
 * `kubectl proxy`), pick a namespace, and move between views. Every view
 * reads the API live over watches with the user's own identity, so RBAC
 * decides what each person sees and may do.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, onUnauthorized, saveToken, savedToken, takeTokenFromLink } from './api.js';
import { ErrorBox } from './components.js';
import { SECTIONS, kindFromKey, kindKey, kindTitle, registerKind } from './kinds.js';
import { href, useRoute } from './router.js';
import { useLiveObjects } from './live.js';
import type { KubeObject } from './api.js';
import { Overview } from './views/overview.js';
import { ResourceList } from './views/resource-list.js';
import { ObjectPage } from './views/object-page.js';
import { CostView } from './views/cost-view.js';

type Session = 'checking' | 'in' | 'out';

function Login({ error, onLogin }: { error?: ApiError; onLogin: () => void }) {
  const [token, setToken] = useState('');
  return (
    <main class="login">
      <h1>Skiff</h1>
      <form onSubmit={(e) => { e.preventDefault(); saveToken(token.trim()); onLogin(); }}>
        <label for="token">Bearer token</label>
        <textarea id="token" rows={4} value={token} onInput={(e) => setToken((e.currentTarget as HTMLTextAreaElement).value)} placeholder="kubectl create token NAME" />
        <button type="submit" disabled={!token.trim()}>Log in</button>
      </form>
      <p class="hint">Run <code>skiff dashboard</code> for a login link, or <code>kubectl create token SERVICEACCOUNT</code>. Behind <code>kubectl proxy</code> no token is needed.</p>
      <ErrorBox error={error} />
    </main>
  );
}

function NamespacePicker({ value, onChange }: { value: string; onChange: (ns: string) => void }) {
  const namespaces = useLiveObjects<KubeObject>('/api/v1/namespaces');
  return (
    <label class="ns-picker">
      Namespace{' '}
      <select value={value} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}>
        <option value="">all namespaces</option>
        {namespaces.items.map((n) => n.metadata.name).sort().map((n) => <option value={n}>{n}</option>)}
      </select>
    </label>
  );
}

/** useCustomKinds registers every served custom resource kind (from CRDs the user may list). */
function useCustomKinds(): { kind: string; key: string }[] {
  const crds = useLiveObjects<KubeObject>('/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
  return crds.items.flatMap((crd) => {
    const spec = crd.spec as { group: string; names: { kind: string; plural: string }; scope: string; versions: { name: string; served: boolean; storage: boolean }[] };
    const version = spec.versions.find((v) => v.storage) ?? spec.versions.find((v) => v.served);
    if (!version) return [];
    const info = { kind: spec.names.kind, group: spec.group, version: version.name, plural: spec.names.plural, namespaced: spec.scope === 'Namespaced' };
    registerKind(info);
    return [{ kind: info.kind, key: kindKey(info) }];
  });
}

function Nav({ current }: { current: string }) {
  const custom = useCustomKinds();
  const link = (to: string, label: string) => <li><a href={to} aria-current={current === to ? 'page' : undefined}>{label}</a></li>;
  return (
    <nav aria-label="Views">
      <ul>{link('#/overview', 'Overview')}{link('#/cost', 'Cost')}</ul>
      {SECTIONS.map((s) => (
        <div>
          <h3>{s.title}</h3>
          <ul>{s.kinds.map((k) => link(href('list', kindKey(k)), kindTitle(k)))}</ul>
        </div>
      ))}
      {custom.length > 0 && (
        <div>
          <h3>Custom resources</h3>
          <ul>{custom.map((c) => link(href('list', c.key), `${c.kind}s`))}</ul>
        </div>
      )}
    </nav>
  );
}

function Shell({ onLogout }: { onLogout?: () => void }) {
  const route = useRoute();
  const [namespace, setNamespace] = useState(() => localStorage.getItem('skiff.dashboard.namespace') ?? 'default');
  const changeNamespace = (ns: string) => {
    localStorage.setItem('skiff.dashboard.namespace', ns);
    setNamespace(ns);
  };
  let view;
  const kind = route.params[0] ? kindFromKey(route.params[0]) : undefined;
  if (route.view === 'list' && kind) view = <ResourceList kind={kind} namespace={namespace} />;
  else if (route.view === 'object' && kind) view = <ObjectPage kind={kind} namespace={route.params.length > 2 ? route.params[1] : undefined} name={route.params[route.params.length - 1]} />;
  else if (route.view === 'cost') view = <CostView />;
  else if (route.view === 'list' || route.view === 'object') view = <p>Unknown kind {route.params[0]}.</p>;
  else view = <Overview namespace={namespace} />;
  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href="#/overview">Skiff</a>
        <NamespacePicker value={namespace} onChange={changeNamespace} />
        {onLogout && <button onClick={onLogout}>Log out</button>}
      </header>
      <Nav current={`#/${route.view}${route.params[0] ? `/${encodeURIComponent(route.params[0])}` : ''}`} />
      <main id="main">{view}</main>
    </div>
  );
}

function App() {
  const [session, setSession] = useState<Session>('checking');
  const [error, setError] = useState<ApiError>();
  const check = () => {
    setSession('checking');
    const hadToken = savedToken() !== undefined;
    get('/api')
      .then(() => { setError(undefined); setSession('in'); })
      .catch((err: ApiError) => {
        if (err.code === 401 && hadToken) setError(new ApiError(401, { reason: 'Unauthorized', message: 'the token was refused: it is wrong or has expired; log in again' }));
        else if (err.code !== 401) setError(err);
        saveToken(undefined);
        setSession('out');
      });
  };
  useEffect(() => {
    takeTokenFromLink();
    check();
    return onUnauthorized(() => {
      setError(new ApiError(401, { reason: 'Unauthorized', message: 'your session ended (the token expired or was revoked); log in again' }));
      saveToken(undefined);
      setSession('out');
    });
  }, []);
  if (session === 'checking') return <p class="loading">Connecting…</p>;
  if (session === 'out') return <Login error={error} onLogin={check} />;
  return <Shell onLogout={savedToken() ? () => { saveToken(undefined); setSession('out'); } : undefined} />;
}

render(<App />, document.getElementById('app')!);
