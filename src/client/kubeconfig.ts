// SPDX-License-Identifier: Apache-2.0
/**
 * Kubeconfig files: the admin kubeconfig a server writes into its data dir,
 * and merging a cluster's context into a user's ~/.kube/config without
 * touching their other clusters, users and contexts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { writeFileAtomic } from '../machinery/index.js';

export interface KubeconfigEntry {
  /** Name used for the cluster, the user and the context. */
  name: string;
  server: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
  namespace?: string;
}

interface NamedItem {
  name: string;
  [k: string]: unknown;
}

interface KubeconfigDoc {
  apiVersion: string;
  kind: string;
  clusters: NamedItem[];
  users: NamedItem[];
  contexts: NamedItem[];
  'current-context': string;
  preferences?: object;
  [k: string]: unknown;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

function entryDoc(e: KubeconfigEntry): { cluster: NamedItem; user: NamedItem; context: NamedItem } {
  return {
    cluster: { name: e.name, cluster: { server: e.server, 'certificate-authority-data': b64(e.caCert) } },
    user: { name: e.name, user: { 'client-certificate-data': b64(e.clientCert), 'client-key-data': b64(e.clientKey) } },
    context: { name: e.name, context: { cluster: e.name, user: e.name, ...(e.namespace ? { namespace: e.namespace } : {}) } },
  };
}

/** renderKubeconfig returns a standalone kubeconfig with one context, selected. */
export function renderKubeconfig(e: KubeconfigEntry): string {
  const d = entryDoc(e);
  const doc: KubeconfigDoc = { apiVersion: 'v1', kind: 'Config', clusters: [d.cluster], users: [d.user], contexts: [d.context], 'current-context': e.name, preferences: {} };
  return stringify(doc);
}

/** readKubeconfig reads the current context's server and credentials from a kubeconfig with embedded data (the one a server writes). */
export function readKubeconfig(path: string): KubeconfigEntry {
  const doc = parse(readFileSync(path, 'utf8')) as KubeconfigDoc;
  const context = doc.contexts.find((c) => c.name === doc['current-context']) ?? doc.contexts[0];
  const names = (context?.context ?? {}) as { cluster?: string; user?: string };
  const cluster = (doc.clusters.find((c) => c.name === names.cluster)?.cluster ?? {}) as Record<string, string>;
  const user = (doc.users.find((u) => u.name === names.user)?.user ?? {}) as Record<string, string>;
  const unb64 = (s?: string) => Buffer.from(s ?? '', 'base64').toString('utf8');
  return {
    name: context?.name ?? '',
    server: cluster.server ?? '',
    caCert: unb64(cluster['certificate-authority-data']),
    clientCert: unb64(user['client-certificate-data']),
    clientKey: unb64(user['client-key-data']),
  };
}

function upsert(list: NamedItem[], item: NamedItem): NamedItem[] {
  const i = list.findIndex((x) => x.name === item.name);
  if (i < 0) return [...list, item];
  const out = [...list];
  out[i] = item;
  return out;
}

/** mergeKubeconfig adds or replaces one context in an existing kubeconfig file and selects it, keeping every other entry. */
export function mergeKubeconfig(path: string, e: KubeconfigEntry): void {
  let doc: KubeconfigDoc = { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [], 'current-context': '', preferences: {} };
  if (existsSync(path)) {
    const parsed = parse(readFileSync(path, 'utf8')) as Partial<KubeconfigDoc> | null;
    if (parsed) doc = { ...doc, ...parsed, clusters: parsed.clusters ?? [], users: parsed.users ?? [], contexts: parsed.contexts ?? [] };
  }
  const d = entryDoc(e);
  doc.clusters = upsert(doc.clusters, d.cluster);
  doc.users = upsert(doc.users, d.user);
  doc.contexts = upsert(doc.contexts, d.context);
  doc['current-context'] = e.name;
  writeFileAtomic(path, stringify(doc));
}
