/**
 * The dashboard's shell: log in (a bearer token, or nothing behind
 * `kubectl proxy`), pick a namespace, and move between views. Every view
 * reads the API live over watches with the user's own identity, so RBAC
 * decides what each person sees and may do.
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, request, onUnauthorized, saveToken, savedToken, takeTokenFromLink } from './api.js';
import { ErrorBox } from './components.js';
import { SECTIONS, kindFromKey, kindKey, kindTitle, registerKind } from './kinds.js';
import { href, useRoute } from './router.js';
import { dropAll, useLiveObjects } from './live.js';
import type { KubeObject } from './api.js';
import { Overview } from './views/overview.js';
import { ResourceList } from './views/resource-list.js';
import { ObjectPage } from './views/object-page.js';
import { CostView } from './views/cost-view.js';
import { NetworkView } from './views/network-view.js';
import { ApplyView } from './views/apply-view.js';

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

/**
 * navKeys moves focus between the nav's links with the arrow keys, Home and
 * End (as in a menu; Tab still walks them too).
 */
function navKeys(e: KeyboardEvent): void {
  const links = [...(e.currentTarget as HTMLElement).querySelectorAll<HTMLAnchorElement>('a')];
  const at = links.indexOf(document.activeElement as HTMLAnchorElement);
  const to: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: links.length - 1 };
  if (at < 0 || !(e.key in to)) return;
  e.preventDefault();
  links[(to[e.key] + links.length) % links.length].focus();
}

function Nav({ current }: { current: string }) {
  const custom = useCustomKinds();
  const link = (to: string, label: string) => <li><a href={to} aria-current={current === to ? 'page' : undefined}>{label}</a></li>;
  return (
    <nav aria-label="Views" onKeyDown={navKeys}>
      <ul>{link('#/overview', 'Overview')}{link('#/network', 'Services and Ingresses')}{link('#/create', 'Create from YAML')}{link('#/cost', 'Cost')}</ul>
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

/**
 * useIdentity asks the server who the session is (a SelfSubjectReview, as
 * `kubectl auth whoami`): the token's service account, or behind `kubectl
 * proxy` the user of the proxy's client certificate.
 */
function useIdentity(): string | undefined {
  const [user, setUser] = useState<string>();
  useEffect(() => {
    request<{ status?: { userInfo?: { username?: string } } }>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' })
      .then((r) => setUser(r.status?.userInfo?.username), () => undefined);
  }, []);
  return user;
}

function Shell({ onLogout }: { onLogout?: () => void }) {
  const route = useRoute();
  const identity = useIdentity();
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
  else if (route.view === 'network') view = <NetworkView namespace={namespace} />;
  else if (route.view === 'create') view = <ApplyView namespace={namespace} />;
  else if (route.view === 'list' || route.view === 'object') view = <p>Unknown kind {route.params[0]}.</p>;
  else view = <Overview namespace={namespace} />;
  // A new view takes focus (after the first), so keyboard and screen-reader users land on what they opened.
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) first.current = false;
    else main.current?.focus();
  }, [location.hash]);
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); main.current?.focus(); }}>Skip to content</a>
      <header class="top">
        <a class="brand" href="#/overview" aria-label="Skiff dashboard home">Skiff</a>
        <NamespacePicker value={namespace} onChange={changeNamespace} />
        {identity && <span class="whoami" aria-label="Signed in as">as <strong>{identity}</strong></span>}
        {onLogout && <button onClick={onLogout}>Log out</button>}
      </header>
      <Nav current={`#/${route.view}${route.params[0] ? `/${encodeURIComponent(route.params[0])}` : ''}`} />
      <main id="main" ref={main} tabIndex={-1}>{view}</main>
    </div>
  );
}

/** verified is true once the session's credentials were accepted. */
let verified = false;

function App() {
  // With a token the shell starts at once (its lists and the check below go out together); without one the
  // check says whether we are behind `kubectl proxy` (in) or need a token (out).
  const [session, setSession] = useState<Session>(() => (takeTokenFromLink(), savedToken() ? 'in' : 'checking'));
  const [error, setError] = useState<ApiError>();
  const logOut = (why?: ApiError) => {
    saveToken(undefined);
    dropAll();
    setError(why);
    setSession('out');
  };
  const check = () => {
    const hadToken = savedToken() !== undefined;
    verified = false;
    setSession(hadToken ? 'in' : 'checking');
    get('/api')
      .then(() => { verified = true; setError(undefined); setSession('in'); })
      .catch((err: ApiError) => {
        if (err.code === 401 && !hadToken) logOut(undefined);
        else if (err.code !== 401) logOut(err);
      });
  };
  useEffect(() => {
    check();
    // Any 401 ends a token's session (once; later 401s find no token): before the first answer the token was wrong; after it, it expired.
    return onUnauthorized(() => savedToken() && logOut(new ApiError(401, {
      reason: 'Unauthorized',
      message: verified ? 'your session ended (the token expired or was revoked); log in again' : 'the token was refused: it is wrong or has expired; log in again',
    })));
  }, []);
  if (session === 'checking') return <p class="loading" role="status">Connecting…</p>;
  if (session === 'out') return <Login error={error} onLogin={() => { dropAll(); check(); }} />;
  return <Shell onLogout={savedToken() ? () => logOut(undefined) : undefined} />;
}

render(<App />, document.getElementById('app')!);
