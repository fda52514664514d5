/**
 * The dashboard talks to the Kubernetes API of the origin it was loaded from,
 * with the user's own identity: a bearer token kept for the browser session,
 * or none when opened through `kubectl proxy` (the proxy adds its client
 * certificate). Paths are absolute (`/api/...`), so the same bundle works at
 * `/ui/` and behind the service proxy path of seed 003.
 */

/** Status is the body of every API error (meta/v1 Status). */
export interface Status {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
  details?: { name?: string; kind?: string; causes?: { field?: string; message?: string; reason?: string }[] };
}

/** ApiError carries the HTTP code and the Status the server answered. */
export class ApiError extends Error {
  constructor(readonly code: number, readonly status: Status) {
    super(status.message ?? `HTTP ${code}`);
  }
}

const TOKEN_KEY = 'skiff.dashboard.token';

export function savedToken(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function saveToken(token: string | undefined): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** takeTokenFromLink reads `#token=...` from a `skiff dashboard` link once and removes it from the address bar. */
export function takeTokenFromLink(): void {
  const m = /[#&]token=([^&]+)/.exec(location.hash);
  if (!m) return;
  saveToken(decodeURIComponent(m[1]));
  history.replaceState(null, '', location.pathname + location.search + '#/');
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { Accept: 'application/json', ...extra };
  const token = savedToken();
  if (token) h.Authorization = `Bearer ${token}`;
  return h;
}

/** unauthorizedListeners learn that the session's credentials stopped working (expired token). */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(f: () => void): () => void {
  unauthorizedListeners.add(f);
  return () => unauthorizedListeners.delete(f);
}

async function failure(res: Response): Promise<ApiError> {
  let status: Status;
  try {
    status = (await res.json()) as Status;
  } catch {
    status = { code: res.status, message: res.statusText || `HTTP ${res.status}` };
  }
  if (res.status === 401) for (const f of unauthorizedListeners) f();
  return new ApiError(res.status, status);
}

/**
 * compact asks for unindented JSON. A browser's User-Agent (Mozilla/5.0)
 * makes the API server indent its answers, as upstream's isPrettyPrint does;
 * for a list of 1,000 pods that nearly doubles the bytes the server writes and
 * compresses and the page parses. `pretty=false` is upstream's way to ask.
 */
function compact(path: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}pretty=false`;
}

/** send makes one API call and returns its HTTP status and JSON answer, or throws ApiError. */
export async function send<T = unknown>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: T }> {
  const res = await fetch(compact(path), {
    method,
    headers: headers(body === undefined ? {} : { 'Content-Type': contentType }),
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return { status: res.status, body: (await res.json()) as T };
}

/** request sends one API call and returns its JSON answer, or throws ApiError. */
export async function request<T = unknown>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  return (await send<T>(method, path, body, contentType)).body;
}

export const get = <T>(path: string) => request<T>('GET', path);

/** Table is meta.k8s.io/v1 Table: the server renders kubectl's columns for every kind. */
export interface Table {
  columnDefinitions: { name: string; type: string; priority: number; description?: string }[];
  /** object is null when read with includeObject=None. */
  rows: { cells: unknown[]; conditions?: { type: string; status: string; reason?: string }[]; object: { metadata: ObjectMeta } }[];
  metadata: { resourceVersion?: string };
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  // Objects of every kind pass through the generic views; their fields are read where they are known.
  [field: string]: unknown;
}

export async function getTable(path: string): Promise<Table> {
  const res = await fetch(compact(path), { headers: headers({ Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io, application/json' }) });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as Table;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject & Status;
}

/**
 * watchStream follows a watch from resourceVersion over a WebSocket (a
 * browser holds only six HTTP/1.1 connections to a server, and a page has
 * more live lists than that) until the server ends it or signal aborts. It
 * returns the last resourceVersion seen so the caller can resume, and throws
 * ApiError(410) when that version is too old (re-list) or ApiError(0) when
 * the connection failed (the browser does not say why; a re-list will).
 */
export function watchStream(path: string, resourceVersion: string, onEvent: (e: WatchEvent) => void, signal: AbortSignal): Promise<string> {
  const sep = path.includes('?') ? '&' : '?';
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}${sep}watch=true&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(resourceVersion)}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, webSocketProtocols(WATCH_PROTOCOL));
    ws.binaryType = 'arraybuffer';
    const decoder = new TextDecoder();
    let rv = resourceVersion;
    let opened = false;
    let failed: ApiError | undefined;
    const abort = () => ws.close(1000);
    signal.addEventListener('abort', abort, { once: true });
    ws.onopen = () => { opened = true; };
    ws.onmessage = (m) => {
      if (failed) return;
      const text = typeof m.data === 'string' ? m.data : decoder.decode(m.data as ArrayBuffer);
      const event = JSON.parse(text) as WatchEvent;
      if (event.type === 'ERROR') {
        failed = new ApiError(event.object.code ?? 500, event.object);
        ws.close(1000);
        return;
      }
      rv = event.object.metadata?.resourceVersion || rv;
      onEvent(event);
    };
    ws.onclose = () => {
      signal.removeEventListener('abort', abort);
      if (failed) reject(failed);
      else if (!opened && !signal.aborted) reject(new ApiError(0, { message: 'the watch connection failed' }));
      else resolve(rv);
    };
  });
}

/** streamText follows a text stream (pod logs with follow=true) until it ends or signal aborts. */
export async function streamText(path: string, onChunk: (text: string) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(path, { headers: headers({ Accept: '*/*' }), signal });
  if (!res.ok || !res.body) throw await failure(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onChunk(value);
  }
}

/**
 * webSocketProtocols authenticates a WebSocket (exec): browsers cannot set an
 * Authorization header on one, so the token rides in a subprotocol, as
 * upstream's `base64url.bearer.authorization.k8s.io.` convention.
 */
export function webSocketProtocols(protocol: string): string[] {
  const token = savedToken();
  if (!token) return [protocol];
  const encoded = btoa(token).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return [protocol, `base64url.bearer.authorization.k8s.io.${encoded}`];
}

/** The watch subprotocol: each event arrives as one binary message, as upstream's watch over WebSocket sends it. */
const WATCH_PROTOCOL = 'binary.k8s.io';
