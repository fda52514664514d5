// SPDX-License-Identifier: Apache-2.0
/**
 * The routing table: which backend serves a (host, path), built from the
 * Ingresses we serve. Host and path semantics follow the networking/v1 API
 * and ingress-nginx:
 * - Hosts: an exact host wins over a wildcard `*.foo.com` (which matches
 *   exactly one leading label, as the API documents), which wins over rules
 *   without a host. Hosts compare case-insensitively, without the port.
 * - Paths without regex: an Exact path first, then the longest matching
 *   Prefix; Prefix matches element-wise (`/foo` matches `/foo` and
 *   `/foo/bar`, not `/foobar`). ImplementationSpecific is treated as Prefix.
 * - Regex mode: as ingress-nginx, once any Ingress of a host sets
 *   `use-regex` or `rewrite-target`, every path of that host becomes a
 *   case-insensitive regex anchored at the start (`location ~* "^path"`),
 *   tried longest first; the first match wins.
 * - When a host matches but no path does, the defaultBackend of an Ingress
 *   defining that host answers, then the cluster-wide defaultBackend (from
 *   Ingresses without rules), else the controller's own 404.
 * Paths of several Ingresses for one host merge; on a duplicate path the
 * oldest Ingress wins, as ingress-nginx does.
 */
import type { IngressBackend } from 'kubernetes-types/networking/v1.js';
import { parseIngressAnnotations, type IngressAnnotations } from './ingress-annotations.js';
import type { IngressObj } from './ingress-class.js';
import type { BackendProblemReason, Upstream } from './upstream.js';

/** PathType is the networking/v1 pathType. */
export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

/** RouteTarget is where a matched request goes and how it is rewritten. */
export interface RouteTarget {
  upstream: Upstream;
  /** ingress is the `namespace/name` of the Ingress that defined this route. */
  ingress: string;
  rewriteTarget?: string;
  /** sslRedirect: plain-HTTP requests get a 308 to https (ingress-nginx's default redirect code). */
  sslRedirect: boolean;
}

/** PathRoute is one path rule of a host. */
export interface PathRoute extends RouteTarget {
  path: string;
  pathType: PathType;
  /** regex is set in regex mode: `^path`, case-insensitive. */
  regex?: RegExp;
}

/** RouteMatch is the result of a lookup: the target and the path (with query) to send upstream. */
export interface RouteMatch {
  target: RouteTarget;
  path: string;
}

/** IngressProblem is something wrong with an Ingress, reported as a Warning Event on it. */
export interface IngressProblem {
  ingress: IngressObj;
  reason: BackendProblemReason | 'UnsupportedAnnotation' | 'InvalidPath' | 'TLSSecretNotFound' | 'InvalidTLSSecret' | 'ConfigurationRejected';
  message: string;
}

/** TLSEntry says which Secret holds the certificate for a host. */
export interface TLSEntry {
  namespace: string;
  secretName: string;
  ingress: IngressObj;
}

interface HostRoutes {
  regexMode: boolean;
  paths: PathRoute[];
  fallback?: RouteTarget;
}

/** RouteTable answers lookups; build one with buildRouteTable and replace it whole on change. */
export class RouteTable {
  /** hosts maps a lower-case host (or `*.domain`, or '' for rules without a host) to its routes. */
  readonly hosts: ReadonlyMap<string, HostRoutes>;
  /** tls maps a lower-case host (or `*.domain`) to its certificate's Secret. */
  readonly tls: ReadonlyMap<string, TLSEntry>;
  readonly defaultBackend?: RouteTarget;

  constructor(hosts: Map<string, HostRoutes>, tls: Map<string, TLSEntry>, defaultBackend?: RouteTarget) {
    this.hosts = hosts;
    this.tls = tls;
    this.defaultBackend = defaultBackend;
  }

  /** match finds the route for a Host header value and a request target (path and query); undefined means 404. */
  match(hostHeader: string | undefined, url: string): RouteMatch | undefined {
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    const routes = this.hosts.get(lookupHost(this.hosts, normalizeHost(hostHeader)));
    if (routes) {
      const m = matchPath(routes, path, query);
      if (m) return m;
      if (routes.fallback) return { target: routes.fallback, path: url };
    }
    return this.defaultBackend ? { target: this.defaultBackend, path: url } : undefined;
  }
}

/** normalizeHost lower-cases a Host header and strips its port (and IPv6 brackets stay as they are). */
export function normalizeHost(h: string | undefined): string {
  if (!h) return '';
  const lower = h.toLowerCase();
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1);
  const colon = lower.lastIndexOf(':');
  return colon < 0 ? lower : lower.slice(0, colon);
}

/** lookupHost picks the key of `map` serving a host: exact, then a one-label wildcard, then ''. */
export function lookupHost<V>(map: ReadonlyMap<string, V>, host: string): string {
  if (host && map.has(host)) return host;
  const dot = host.indexOf('.');
  if (dot > 0) {
    const wild = `*${host.slice(dot)}`;
    if (map.has(wild)) return wild;
  }
  return '';
}

/** prefixMatches is the networking/v1 Prefix rule: element-wise, a trailing slash in the rule ignored. */
export function prefixMatches(rule: string, path: string): boolean {
  const r = rule.endsWith('/') ? rule.slice(0, -1) : rule;
  if (r === '') return true;
  return path.startsWith(r) && (path.length === r.length || path.charCodeAt(r.length) === 47 /* '/' */);
}

function matchPath(routes: HostRoutes, path: string, query: string): RouteMatch | undefined {
  if (routes.regexMode) {
    for (const r of routes.paths) {
      const m = r.regex!.exec(path);
      if (m) return { target: r, path: rewrite(r.rewriteTarget, m, path, query) };
    }
    return undefined;
  }
  // paths are sorted Exact first, then by length descending, so the first hit is the upstream precedence.
  for (const r of routes.paths) {
    const hit = r.pathType === 'Exact' ? r.path === path : prefixMatches(r.path, path);
    if (hit) return { target: r, path: rewrite(r.rewriteTarget, null, path, query) };
  }
  return undefined;
}

/**
 * rewrite applies rewrite-target as nginx's `rewrite ... break` does: the
 * whole URI becomes the target with `$n` replaced by capture n (empty when
 * absent); the original query string is kept, appended with `&` when the
 * target has its own.
 */
export function rewrite(target: string | undefined, m: RegExpExecArray | null, path: string, query: string): string {
  if (target === undefined) return query ? `${path}?${query}` : path;
  const out = target.replace(/\$(\d)/g, (_, d: string) => (m?.[Number(d)] ?? ''));
  if (!query) return out;
  return out.includes('?') ? `${out}&${query}` : `${out}?${query}`;
}

/** BuildInput is what buildRouteTable needs: our Ingresses and a way to resolve backends. */
export interface BuildInput {
  ingresses: readonly IngressObj[];
  resolve(namespace: string, backend: IngressBackend): Upstream;
}

/** BuildResult is the table plus the problems found while building it. */
export interface BuildResult {
  table: RouteTable;
  problems: IngressProblem[];
}

interface PendingPath {
  host: string;
  route: PathRoute;
  ing: IngressObj;
}

/** buildRouteTable compiles Ingresses into a RouteTable; it is pure apart from calling `resolve`. */
export function buildRouteTable(input: BuildInput): BuildResult {
  const problems: IngressProblem[] = [];
  const ordered = [...input.ingresses].sort(olderFirst);
  const tls = collectTLS(ordered);
  const hosts = new Map<string, HostRoutes>();
  const pending: PendingPath[] = [];
  const seen = new Set<string>();
  let defaultBackend: RouteTarget | undefined;
  for (const ing of ordered) {
    const ann = parseIngressAnnotations(ing);
    const id = `${ing.metadata.namespace}/${ing.metadata.name}`;
    if (ann.unsupported.length) problems.push({ ingress: ing, reason: 'UnsupportedAnnotation', message: `annotations not supported by the skiff ingress controller, ignored: ${ann.unsupported.join(', ')}` });
    const target = (backend: IngressBackend, host: string): RouteTarget => {
      const upstream = input.resolve(ing.metadata.namespace ?? '', backend);
      if (upstream.problem) problems.push({ ingress: ing, reason: upstream.problem.reason, message: upstream.problem.message });
      return { upstream, ingress: id, rewriteTarget: ann.rewriteTarget, sslRedirect: redirects(ann, tls.has(host)) };
    };
    const rules = ing.spec?.rules ?? [];
    const defined = ing.spec?.defaultBackend;
    if (defined && rules.length === 0) defaultBackend ??= target(defined, '');
    for (const rule of rules) {
      const host = (rule.host ?? '').toLowerCase();
      const routes = hosts.get(host) ?? { regexMode: false, paths: [] };
      hosts.set(host, routes);
      if (ann.useRegex || ann.rewriteTarget !== undefined) routes.regexMode = true;
      if (defined && !routes.fallback) routes.fallback = target(defined, host);
      for (const p of rule.http?.paths ?? []) {
        const path = p.path || '/';
        const pathType = (p.pathType ?? 'ImplementationSpecific') as PathType;
        const key = `${host}\u0000${pathType === 'Exact' ? '=' : ''}${path}`;
        if (seen.has(key)) continue;
        seen.add(key);
        pending.push({ host, ing, route: { ...target(p.backend, host), path, pathType } });
      }
    }
  }
  for (const { host, route, ing } of pending) {
    const routes = hosts.get(host)!;
    if (routes.regexMode) {
      try {
        route.regex = new RegExp(`^${route.path}`, 'i');
      } catch (err) {
        problems.push({ ingress: ing, reason: 'InvalidPath', message: `path ${JSON.stringify(route.path)} is not a valid regular expression: ${(err as Error).message}` });
        continue;
      }
    }
    routes.paths.push(route);
  }
  for (const routes of hosts.values()) routes.paths.sort(routes.regexMode ? longestFirst : exactThenLongest);
  return { table: new RouteTable(hosts, tls, defaultBackend), problems };
}

/** redirects decides ssl-redirect as ingress-nginx: on when the host has TLS unless turned off; force-ssl-redirect always. */
function redirects(ann: IngressAnnotations, hostHasTLS: boolean): boolean {
  return ann.forceSslRedirect || (hostHasTLS && ann.sslRedirect !== false);
}

function collectTLS(ordered: readonly IngressObj[]): Map<string, TLSEntry> {
  const tls = new Map<string, TLSEntry>();
  for (const ing of ordered) {
    const ruleHosts = (ing.spec?.rules ?? []).map((r) => r.host ?? '').filter(Boolean);
    for (const t of ing.spec?.tls ?? []) {
      if (!t.secretName) continue;
      // An entry without hosts covers the Ingress's own rule hosts.
      for (const h of t.hosts?.length ? t.hosts : ruleHosts) {
        const host = h.toLowerCase();
        if (!tls.has(host)) tls.set(host, { namespace: ing.metadata.namespace ?? '', secretName: t.secretName, ingress: ing });
      }
    }
  }
  return tls;
}

function olderFirst(a: IngressObj, b: IngressObj): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.metadata.namespace}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function longestFirst(a: PathRoute, b: PathRoute): number {
  return b.path.length - a.path.length;
}

function exactThenLongest(a: PathRoute, b: PathRoute): number {
  const ea = a.pathType === 'Exact' ? 0 : 1;
  const eb = b.pathType === 'Exact' ? 0 : 1;
  return ea - eb || longestFirst(a, b);
}
