// SPDX-License-Identifier: Apache-2.0
/**
 * Container environment as upstream makeEnvironmentVariables builds it:
 * service links, envFrom (ConfigMaps and Secrets, with prefix), then env
 * entries (value with $(VAR) expansion, configMapKeyRef, secretKeyRef,
 * fieldRef, resourceFieldRef). A missing object or key fails container
 * creation with upstream's message (CreateContainerConfigError) unless the
 * reference is optional.
 */
import type { ConfigMap, Container, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import { R, type Client } from '../client/index.js';
import { isNotFound } from '../machinery/index.js';
import { fieldRefValue, resourceFieldRefValue, type NodeAllocatable, type PodRuntimeFields } from './downward-api.js';

/**
 * PodObjects is where a pod sync reads the ConfigMaps, Secrets and Services
 * its pod references. The kubelet's is watch-fed (pod-objects.ts, upstream's
 * default Watch strategy); ObjectCache below reads from the API (upstream's Get strategy).
 */
export interface PodObjects {
  /** configMap reads a ConfigMap; rejects with the API's NotFound. */
  configMap(ns: string, name: string): Promise<ConfigMap>;
  /** secret reads a Secret; rejects with the API's NotFound. */
  secret(ns: string, name: string): Promise<Secret>;
  /** services lists a namespace's Services. */
  services(ns: string): Promise<Service[]>;
}

/** ObjectCache reads from the API, memoising each read within one pod sync (upstream's Get change detection strategy). */
export class ObjectCache implements PodObjects {
  readonly #client: Client;
  readonly #memo = new Map<string, Promise<unknown>>();

  constructor(client: Client) {
    this.#client = client;
  }

  configMap(ns: string, name: string): Promise<ConfigMap> {
    return this.#get(`cm/${ns}/${name}`, () => this.#client.get(R.configmaps, name, { namespace: ns })) as Promise<ConfigMap>;
  }

  secret(ns: string, name: string): Promise<Secret> {
    return this.#get(`secret/${ns}/${name}`, () => this.#client.get(R.secrets, name, { namespace: ns })) as Promise<Secret>;
  }

  services(ns: string): Promise<Service[]> {
    return this.#get(`svc/${ns}`, async () => (await this.#client.list(R.services, { namespace: ns })).items) as Promise<Service[]>;
  }

  #get(key: string, load: () => Promise<unknown>): Promise<unknown> {
    let p = this.#memo.get(key);
    if (!p) {
      p = load();
      this.#memo.set(key, p);
    }
    return p;
  }
}

/** secretValue decodes a Secret's data key (base64) or stringData. */
export function secretValue(s: Secret, key: string): string | undefined {
  const d = s.data?.[key];
  if (d !== undefined) return Buffer.from(d, 'base64').toString('utf8');
  return s.stringData?.[key];
}

/** EnvContext is what env resolution needs besides the pod. */
export interface EnvContext {
  objects: PodObjects;
  node: NodeAllocatable;
  runtime: PodRuntimeFields;
  /** masterServiceNamespace holds the `kubernetes` Service every pod sees (default "default"). */
  masterServiceNamespace?: string;
}

/** makeEnvironment resolves a container's environment; throws Error with upstream's message on a missing reference. */
export async function makeEnvironment(pod: Pod, c: Container, ctx: EnvContext): Promise<{ key: string; value: string }[]> {
  const ns = pod.metadata?.namespace ?? 'default';
  const env = new Map<string, string>(Object.entries(await serviceEnv(pod, ctx)));
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = await optionalGet(ctx.objects.configMap(ns, from.configMapRef.name ?? ''), from.configMapRef.optional);
      for (const [k, v] of Object.entries(cm?.data ?? {})) env.set(prefix + k, v);
    } else if (from.secretRef) {
      const s = await optionalGet(ctx.objects.secret(ns, from.secretRef.name ?? ''), from.secretRef.optional);
      for (const k of Object.keys({ ...(s?.data ?? {}), ...(s?.stringData ?? {}) })) env.set(prefix + k, secretValue(s!, k) ?? '');
    }
  }
  for (const e of c.env ?? []) {
    const value = await envValue(pod, c, e, ctx, env);
    if (value !== undefined) env.set(e.name, value);
  }
  return [...env].map(([key, value]) => ({ key, value }));
}

async function envValue(
  pod: Pod, c: Container, e: NonNullable<Container['env']>[number], ctx: EnvContext, sofar: Map<string, string>,
): Promise<string | undefined> {
  const ns = pod.metadata?.namespace ?? 'default';
  if (!e.valueFrom) return expandVars(e.value ?? '', sofar);
  const { configMapKeyRef: cmRef, secretKeyRef: sRef, fieldRef, resourceFieldRef } = e.valueFrom;
  if (cmRef) {
    const cm = await optionalGet(ctx.objects.configMap(ns, cmRef.name ?? ''), cmRef.optional);
    if (!cm) return undefined;
    const v = cm.data?.[cmRef.key];
    if (v === undefined && !cmRef.optional) throw new Error(`couldn't find key ${cmRef.key} in ConfigMap ${ns}/${cmRef.name}`);
    return v;
  }
  if (sRef) {
    const s = await optionalGet(ctx.objects.secret(ns, sRef.name ?? ''), sRef.optional);
    if (!s) return undefined;
    const v = secretValue(s, sRef.key);
    if (v === undefined && !sRef.optional) throw new Error(`couldn't find key ${sRef.key} in Secret ${ns}/${sRef.name}`);
    return v;
  }
  if (fieldRef) return fieldRefValue(pod, fieldRef, ctx.runtime);
  if (resourceFieldRef) return resourceFieldRefValue(pod, resourceFieldRef, c, ctx.node);
  return undefined;
}

// A missing object is fine when the reference is optional; any other error is the pod's problem.
async function optionalGet<T>(p: Promise<T>, optional: boolean | undefined): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (optional && isNotFound(err)) return undefined;
    throw err;
  }
}

/** expandVars replaces $(VAR) with known values and $$ with $, leaving unknown references as written (upstream expansion.Expand). */
export function expandVars(input: string, vars: Map<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const end = input.indexOf(')', i + 2);
      if (end < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, end);
      out += vars.has(name) ? vars.get(name) : `$(${name})`;
      i = end;
    } else out += ch;
  }
  return out;
}

// Docker-link style variables for the master service always, and for the namespace's services when enableServiceLinks (upstream getServiceEnvVarMap).
async function serviceEnv(pod: Pod, ctx: EnvContext): Promise<Record<string, string>> {
  const ns = pod.metadata?.namespace ?? 'default';
  const masterNs = ctx.masterServiceNamespace ?? 'default';
  const out: Record<string, string> = {};
  const services: Service[] = [];
  // A failed read fails the container's creation (upstream: "services have not yet been read at least once, cannot construct envvars").
  if (pod.spec?.enableServiceLinks !== false) services.push(...(await ctx.objects.services(ns)));
  if (ns !== masterNs || pod.spec?.enableServiceLinks === false) {
    services.push(...(await ctx.objects.services(masterNs)).filter((s) => s.metadata?.name === 'kubernetes'));
  }
  for (const s of services) {
    const ip = s.spec?.clusterIP;
    if (!ip || ip === 'None' || !s.spec?.ports?.length) continue;
    const name = (s.metadata?.name ?? '').toUpperCase().replace(/-/g, '_');
    const first = s.spec.ports[0];
    out[`${name}_SERVICE_HOST`] = ip;
    out[`${name}_SERVICE_PORT`] = String(first.port);
    for (const p of s.spec.ports) {
      if (p.name) out[`${name}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`] = String(p.port);
      const proto = (p.protocol ?? 'TCP').toLowerCase();
      const prefix = `${name}_PORT_${p.port}_${proto.toUpperCase()}`;
      out[prefix] = `${proto}://${ip}:${p.port}`;
      out[`${prefix}_PROTO`] = proto;
      out[`${prefix}_PORT`] = String(p.port);
      out[`${prefix}_ADDR`] = ip;
    }
    out[`${name}_PORT`] = `${(first.protocol ?? 'TCP').toLowerCase()}://${ip}:${first.port}`;
  }
  return out;
}
