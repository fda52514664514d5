// SPDX-License-Identifier: Apache-2.0
/**
 * Webhook conversion of custom resources (`spec.conversion.strategy:
 * Webhook`), as apiextensions-apiserver's webhookConverter: an object whose
 * apiVersion is not the wanted one is sent in a ConversionReview (the first
 * of conversionReviewVersions this server speaks, v1 or v1beta1) to the
 * webhook (URL or Service, caBundle, through the admission webhook client);
 * the answer must be Success with one object of the wanted version and the
 * same kind, name, namespace and uid; metadata is restored from the
 * original but for labels and annotations. Every failure is upstream's
 * `conversion webhook for <group/version, Kind=K> failed: ...`, answered 500.
 * Objects stay stored in the version they were written in (the storage
 * version at the time) and are converted when read in another one.
 */
import { randomUUID } from 'node:crypto';
import type { WebhookClientConfig } from 'kubernetes-types/admissionregistration/v1.js';
import type { KubeObject } from '../../api/index.js';
import { deepClone, isPlainObject } from '../../api/index.js';
import { newInternalError } from '../../machinery/index.js';
import type { VersionConverter } from '../definitions/index.js';
import { CallError, postJSON, type ServiceResolver } from '../admission/webhook/client.js';

/** ConversionWebhook is a CRD's `spec.conversion.webhook`. */
export interface ConversionWebhook {
  clientConfig?: WebhookClientConfig;
  conversionReviewVersions?: string[];
}

/** CONVERSION_TIMEOUT_SECONDS: upstream's conversion client has no per-call timeout but its request's; 30 s bounds a call here. */
const CONVERSION_TIMEOUT_SECONDS = 30;

function gvkText(obj: KubeObject): string {
  const api = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  return `${api.includes('/') ? api : `/${api}`}, Kind=${obj.kind ?? ''}`;
}

/** convertWithWebhook converts one object to apiVersion through the webhook (objects already there are returned as they are). */
export async function convertWithWebhook(hook: ConversionWebhook, resolve: ServiceResolver, obj: KubeObject, apiVersion: string): Promise<KubeObject> {
  if (obj.apiVersion === apiVersion) return obj;
  const fail = (why: string) => newInternalError(`conversion webhook for ${gvkText(obj)} ${why}`);
  const version = (hook.conversionReviewVersions ?? []).find((v) => v === 'v1' || v === 'v1beta1');
  if (!version) throw newInternalError('no supported conversion review versions');
  const uid = randomUUID();
  const review = { apiVersion: `apiextensions.k8s.io/${version}`, kind: 'ConversionReview', request: { uid, desiredAPIVersion: apiVersion, objects: [obj] } };
  let answer: unknown;
  try {
    answer = await postJSON(hook.clientConfig ?? {}, review, CONVERSION_TIMEOUT_SECONDS, resolve);
  } catch (err) {
    throw fail(`failed: ${err instanceof CallError ? err.message : (err as Error).message}`);
  }
  const a = isPlainObject(answer) ? answer : {};
  if (version === 'v1' && (a.apiVersion !== 'apiextensions.k8s.io/v1' || a.kind !== 'ConversionReview')) {
    throw fail(`failed: expected webhook response of apiextensions.k8s.io/v1, Kind=ConversionReview, got ${gvkText(a as KubeObject)}`);
  }
  const r = isPlainObject(a.response) ? a.response : undefined;
  if (!r) throw fail('failed: no response provided');
  if (version === 'v1' && r.uid !== uid) throw fail(`failed: expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(typeof r.uid === 'string' ? r.uid : '')}`);
  const result = isPlainObject(r.result) ? r.result : {};
  if (result.status !== 'Success') {
    throw fail(`failed: ${typeof result.message === 'string' && result.message ? result.message : `response.result.status was '${String(result.status ?? '')}', not 'Success'`}`);
  }
  const converted = Array.isArray(r.convertedObjects) ? r.convertedObjects : [];
  if (converted.length !== 1) throw fail(`returned ${converted.length} objects, expected 1`);
  const out = converted[0];
  if (!isPlainObject(out)) throw fail('returned invalid object at index 0: invalid type');
  if (out.apiVersion !== apiVersion) throw fail(`returned invalid object at index 0: invalid groupVersion (expected ${apiVersion}, received ${String(out.apiVersion ?? '')})`);
  if (out.kind !== obj.kind) throw fail(`returned invalid object at index 0: invalid kind (expected ${obj.kind}, received ${String(out.kind ?? '')})`);
  const meta = isPlainObject(out.metadata) ? out.metadata : undefined;
  if (!meta) throw fail('returned invalid metadata: missing metadata in converted object');
  for (const [k, label] of [['name', 'name'], ['namespace', 'namespace'], ['uid', 'UID']] as const) {
    const want = obj.metadata[k] ?? '';
    const got = (meta[k] as string | undefined) ?? '';
    if (want !== got) throw fail(`returned invalid object: must have the same ${label}: ${want} != ${got}`);
  }
  // Metadata comes from the original; only labels and annotations may be changed by the webhook, as upstream's restoreObjectMeta.
  const restored = deepClone(obj.metadata);
  for (const f of ['labels', 'annotations'] as const) {
    if (isPlainObject(meta[f])) restored[f] = meta[f] as Record<string, string>;
    else delete restored[f];
  }
  return { ...(out as KubeObject), metadata: restored };
}

/**
 * webhookConverter serves one version of a CRD with webhook conversion:
 * writes are converted to the storage version; reads of objects stored in
 * any other version are converted to this one.
 */
export function webhookConverter(hook: ConversionWebhook, resolve: ServiceResolver, servedAPIVersion: string, storageAPIVersion: string): VersionConverter {
  return {
    toStorage: (obj) => convertWithWebhook(hook, resolve, { ...obj, apiVersion: servedAPIVersion }, storageAPIVersion),
    fromStorage: (obj) => convertWithWebhook(hook, resolve, obj, servedAPIVersion),
  };
}
