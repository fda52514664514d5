/**
 * Applying a manifest of several YAML documents as `kubectl apply
 * --server-side` (or `kubectl create`) does, but all or nothing: every
 * object is first sent with dryRun=All, so the server validates each
 * (admission and field validation included) and stores nothing; only when
 * every one passes are they sent for real, in order. Each object's kind is
 * found through discovery, as kubectl's REST mapper does.
 */
import { splitDocuments, type ManifestDocument } from '../why/index.js';
import { ApiError, get, send, type KubeObject } from './api.js';
import { collectionPath, objectPath, type KindInfo } from './kinds.js';
import { loadYaml } from './yaml-loader.js';

export type ApplyMode = 'apply' | 'create';

/** Planned is one document of the manifest, ready to send or with the problem that stops it. */
export interface Planned {
  doc: ManifestDocument;
  body?: KubeObject;
  kind?: KindInfo;
  /** problem is a client-side failure (YAML syntax, no kind); line is where, in the whole manifest. */
  problem?: { message: string; line: number };
}

interface APIResourceList {
  resources: { name: string; kind: string; namespaced: boolean }[];
}

const discovery = new Map<string, Promise<APIResourceList>>();

/** kindFor maps apiVersion and kind to the resource that serves it, from the group version's discovery document. */
async function kindFor(apiVersion: string, kind: string): Promise<KindInfo | undefined> {
  const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  let list = discovery.get(path);
  if (!list) discovery.set(path, (list = get<APIResourceList>(path)));
  let resources: APIResourceList;
  try {
    resources = await list;
  } catch (err) {
    discovery.delete(path);
    if (err instanceof ApiError && err.code === 404) return undefined;
    throw err;
  }
  const r = resources.resources.find((x) => x.kind === kind && !x.name.includes('/'));
  if (!r) return undefined;
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  return { kind, group, version, plural: r.name, namespaced: r.namespaced };
}

/** plan parses each document and finds its kind; namespaced objects without a namespace get `namespace`. */
export async function plan(manifest: string, namespace: string): Promise<Planned[]> {
  const yaml = await loadYaml();
  const out: Planned[] = [];
  for (const doc of splitDocuments(manifest)) {
    let body: unknown;
    try {
      body = yaml.parse(doc.text);
    } catch (err) {
      const line = (err as { linePos?: { line: number }[] }).linePos?.[0]?.line;
      out.push({ doc, problem: { message: `not valid YAML: ${(err as Error).message.split('\n')[0]}`, line: doc.startLine + (line ? line - 1 : 0) } });
      continue;
    }
    const obj = body as Partial<KubeObject> | null;
    if (!obj || typeof obj !== 'object' || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      out.push({ doc, problem: { message: 'each document needs apiVersion and kind', line: doc.startLine } });
      continue;
    }
    const kind = await kindFor(obj.apiVersion, obj.kind);
    if (!kind) {
      // kubectl's words for the same failure.
      out.push({ doc, problem: { message: `no matches for kind "${obj.kind}" in version "${obj.apiVersion}"`, line: doc.startLine } });
      continue;
    }
    const metadata = { ...(obj.metadata ?? {}) } as KubeObject['metadata'];
    if (kind.namespaced && !metadata.namespace) metadata.namespace = namespace || 'default';
    out.push({ doc, kind, body: { ...obj, metadata } as KubeObject });
  }
  return out;
}

/** Sent is the server's answer for one object: what it did, or why not. */
export interface Sent {
  planned: Planned;
  result?: KubeObject;
  /** verb says what happened: created, configured (apply of an existing object), or checked (dry run). */
  verb?: 'created' | 'configured' | 'checked';
  error?: ApiError | Error;
}

const QUERY = 'fieldManager=skiff-dashboard&fieldValidation=Strict';

/** sendOne applies (server-side apply) or creates one object, for real or as a dry run. */
export async function sendOne(p: Planned, mode: ApplyMode, dryRun: boolean): Promise<Sent> {
  const { kind, body } = p;
  if (!kind || !body) return { planned: p, error: new Error(p.problem?.message ?? 'nothing to send') };
  const query = `${QUERY}${dryRun ? '&dryRun=All' : ''}`;
  try {
    const ns = body.metadata.namespace;
    const path = objectPath(kind, ns, body.metadata.name ?? '');
    // Upstream answers an apply that created its object with 201; a server that answers 200 either way is asked first.
    const existed = mode === 'apply' && !dryRun ? await get(path).then(() => true, () => false) : mode === 'apply';
    const r = mode === 'apply'
      ? await send<KubeObject>('PATCH', `${path}?${query}`, body, 'application/apply-patch+yaml')
      : await send<KubeObject>('POST', `${collectionPath(kind, ns ?? '')}?${query}`, body);
    return { planned: p, result: r.body, verb: dryRun ? 'checked' : r.status === 201 || !existed ? 'created' : 'configured' };
  } catch (err) {
    return { planned: p, error: err as Error };
  }
}

/**
 * applyManifest checks every object with a dry run; if all pass (and
 * checkOnly is false) it sends them for real, stopping at the first failure.
 */
export async function applyManifest(planned: Planned[], mode: ApplyMode, checkOnly: boolean): Promise<{ results: Sent[]; applied: boolean }> {
  const checks = await Promise.all(planned.map((p) => (p.problem ? Promise.resolve<Sent>({ planned: p, error: new Error(p.problem.message) }) : sendOne(p, mode, true))));
  if (checkOnly || checks.some((c) => c.error)) return { results: checks, applied: false };
  const results: Sent[] = [];
  for (const p of planned) {
    const r = await sendOne(p, mode, false);
    results.push(r);
    if (r.error) break;
  }
  return { results, applied: results.every((r) => !r.error) };
}
