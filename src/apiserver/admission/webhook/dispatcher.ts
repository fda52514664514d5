// SPDX-License-Identifier: Apache-2.0
/**
 * The mutating and validating dispatchers, as upstream's: mutating webhooks
 * are called one after another (configurations by name, webhooks in order),
 * each JSON patch applied to the object in the version the webhook saw and
 * the kind's defaults re-applied; webhooks with reinvocationPolicy IfNeeded
 * are called once more when a later webhook changed the object. Validating
 * webhooks are called in parallel and the first refusal (in webhook order)
 * is returned. A call that fails follows failurePolicy: Fail answers 500
 * `Internal error occurred: failed calling webhook ...`, Ignore goes on and
 * records upstream's failed-open audit annotation.
 */
import { deepEqual, type KubeObject } from '../../../api/index.js';
import { applyJsonPatch, newInternalError, StatusError, compareStrings } from '../../../machinery/index.js';
import type { AdmissionAttributes } from '../admission.js';
import { callWebhook, WebhookCallError } from './call.js';
import type { Webhook } from './configuration.js';
import type { AdmissionEnvironment } from './environment.js';
import { shouldCall, subjectOf, type Invocation } from './invocation.js';
import { decodePatch } from './review.js';

export const MUTATING_CONFIGURATIONS = 'mutatingwebhookconfigurations';
export const VALIDATING_CONFIGURATIONS = 'validatingwebhookconfigurations';

/** hooksOf lists every webhook of every configuration, configurations ordered by name as upstream sorts them. */
export async function hooksOf(env: AdmissionEnvironment, resource: string): Promise<{ hook: Webhook; configuration: string }[]> {
  const configs = (await env.list(resource)).sort((x, y) => compareStrings(x.metadata.name ?? '', y.metadata.name ?? ''));
  return configs.flatMap((c) => ((c.webhooks as Webhook[] | undefined) ?? []).map((hook) => ({ hook, configuration: c.metadata.name ?? '' })));
}

function annotate(a: AdmissionAttributes, key: string, value: string): void {
  (a.ctx.auditAnnotations ??= {})[key] = value;
}

/** replaceContents makes target equal to source in place (the registry holds the object by reference). */
function replaceContents(target: KubeObject, source: KubeObject): void {
  for (const k of Object.keys(target)) delete (target as Record<string, unknown>)[k];
  Object.assign(target, source);
}

/** failOrIgnore applies failurePolicy to a call error; it returns when the error is ignored. */
function failOrIgnore(err: unknown, hook: Webhook, a: AdmissionAttributes, failedOpenKey: string): void {
  if (err instanceof WebhookCallError) {
    if (hook.failurePolicy === 'Ignore') {
      annotate(a, failedOpenKey, hook.name);
      return;
    }
    throw newInternalError(err.message);
  }
  throw err;
}

/** dispatchMutating runs the mutating webhooks on a create, update or delete. */
export async function dispatchMutating(env: AdmissionEnvironment, a: AdmissionAttributes): Promise<void> {
  const hooks = await hooksOf(env, MUTATING_CONFIGURATIONS);
  if (!hooks.length) return;
  // Round 0 calls every matching webhook; round 1 calls again those IfNeeded ones a later patch invalidated.
  const reinvocable: Webhook[] = [];
  let reinvoke = new Set<Webhook>();
  for (let round = 0; round < 2; round++) {
    for (const [idx, { hook, configuration }] of hooks.entries()) {
      if (round === 1 && !reinvoke.has(hook)) continue;
      const inv = await shouldCall(env, hook, configuration, a);
      if (!inv) continue;
      let changed = false;
      try {
        changed = await mutateOnce(env, inv, a, round, idx);
      } catch (err) {
        failOrIgnore(err, hook, a, `failed-open.mutation.webhook.admission.k8s.io/round_${round}_index_${idx}`);
      }
      if (changed && round === 0) reinvoke = new Set(reinvocable);
      if (round === 0 && hook.reinvocationPolicy === 'IfNeeded') reinvocable.push(hook);
    }
    if (round === 0 && reinvoke.size === 0) break;
  }
}

/** mutateOnce calls one mutating webhook and applies its patch; true when the object changed. */
async function mutateOnce(env: AdmissionEnvironment, inv: Invocation, a: AdmissionAttributes, round: number, idx: number): Promise<boolean> {
  const hook = inv.hook;
  const isDelete = a.operation === 'DELETE';
  const object = isDelete ? undefined : await env.convert(a.object, a.resource, inv.info);
  const oldObject = a.oldObject && await env.convert(a.oldObject, a.resource, inv.info);
  let mutated = false;
  try {
    const result = await callWebhook(env, inv, a, subjectOf(a, inv.info, object, oldObject), true);
    if (!result.patch) return false;
    const patch = decodePatch(result.patch);
    if (typeof patch === 'string') throw new WebhookCallError(hook.name, patch, new StatusError(503, 'ServiceUnavailable', 'error decoding patch in webhook response'));
    if (patch.length === 0) return false;
    if (!object) throw newInternalError(`admission webhook ${JSON.stringify(hook.name)} attempted to modify the object, which is not supported for this operation`);
    if (result.patchType !== 'JSONPatch') throw new WebhookCallError(hook.name, `unsupported patch type ${JSON.stringify(result.patchType)}`, newInternalError('unsupported patch type'));
    let patched: KubeObject;
    try {
      patched = applyJsonPatch(object, patch) as KubeObject;
    } catch (err) {
      throw newInternalError((err as Error).message);
    }
    const back = await env.convert(patched, inv.info, a.resource);
    env.applyDefaults(back, a.resource);
    mutated = !deepEqual(back, a.object);
    annotate(a, `patch.webhook.admission.k8s.io/round_${round}_index_${idx}`, JSON.stringify({ configuration: inv.configuration, webhook: hook.name, patch, patchType: 'JSONPatch' }));
    replaceContents(a.object, back);
    return mutated;
  } finally {
    annotate(a, `mutation.webhook.admission.k8s.io/round_${round}_index_${idx}`, JSON.stringify({ configuration: inv.configuration, webhook: hook.name, mutated }));
  }
}

/** dispatchValidating calls the matching validating webhooks in parallel; the first refusal in webhook order fails the request. */
export async function dispatchValidating(env: AdmissionEnvironment, a: AdmissionAttributes): Promise<void> {
  const hooks = await hooksOf(env, VALIDATING_CONFIGURATIONS);
  if (!hooks.length) return;
  const invocations: { inv: Invocation; idx: number }[] = [];
  for (const [idx, { hook, configuration }] of hooks.entries()) {
    const inv = await shouldCall(env, hook, configuration, a);
    if (inv) invocations.push({ inv, idx });
  }
  const isDelete = a.operation === 'DELETE';
  const outcomes = await Promise.all(
    invocations.map(async ({ inv, idx }) => {
      try {
        const object = isDelete ? undefined : await env.convert(a.object, a.resource, inv.info);
        const oldObject = a.oldObject && await env.convert(a.oldObject, a.resource, inv.info);
        await callWebhook(env, inv, a, subjectOf(a, inv.info, object, oldObject), false);
        return undefined;
      } catch (err) {
        try {
          failOrIgnore(err, inv.hook, a, `failed-open.validating.webhook.admission.k8s.io/round_0_index_${idx}`);
          return undefined;
        } catch (final) {
          return final;
        }
      }
    }),
  );
  const first = outcomes.find((e) => e !== undefined);
  if (first !== undefined) throw first;
}
