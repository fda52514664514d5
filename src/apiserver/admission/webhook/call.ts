// SPDX-License-Identifier: Apache-2.0
/**
 * One webhook call, as upstream's callHook/callAttrMutatingHook up to the
 * answer: dry run needs sideEffects None or NoneOnDryRun; the review is built
 * in an accepted version, posted, and verified; warnings and audit
 * annotations are recorded; a refusal becomes upstream's ToStatusErr
 * (`admission webhook "<name>" denied the request: <message>`). Errors that
 * follow failurePolicy are CallErrors, worded `failed calling webhook
 * "<name>": <reason>` once the dispatcher reports them.
 */
import { StatusError, newBadRequest } from '../../../machinery/index.js';
import type { AdmissionAttributes } from '../admission.js';
import { CallError, postJSON } from './client.js';
import type { AdmissionEnvironment } from './environment.js';
import type { Invocation } from './invocation.js';
import { NO_KNOWN_VERSION, newReview, verifyResponse, type AdmissionResult, type ReviewSubject } from './review.js';

/** toStatusError is upstream's webhookerrors.ToStatusErr: the webhook's Status, its message prefixed with who denied. */
export function toStatusError(hookName: string, result: AdmissionResult['status']): StatusError {
  const deniedBy = `admission webhook ${JSON.stringify(hookName)} denied the request`;
  const r = result ?? {};
  let message: string;
  if (r.message) message = `${deniedBy}: ${r.message}`;
  else if (r.reason) message = `${deniedBy}: ${r.reason}`;
  else message = `${deniedBy} without explanation`;
  // Codes below 400 (and none) become 400 Bad Request, as upstream's ToStatusErr does since 1.24.
  const code = r.code && r.code >= 400 ? r.code : 400;
  return new StatusError(code, (r.reason ?? '') as StatusError['reason'], message, r.details as StatusError['details']);
}

/** dryRunUnsupported is upstream's NewDryRunUnsupportedErr. */
export function dryRunUnsupported(hookName: string): StatusError {
  return newBadRequest(`admission webhook ${JSON.stringify(hookName)} does not support dry run`);
}

/** WebhookCallError is a CallError attributed to a webhook (ErrCallingWebhook). */
export class WebhookCallError extends Error {
  constructor(
    readonly hookName: string,
    readonly reason: string,
    readonly status: StatusError,
  ) {
    super(`failed calling webhook ${JSON.stringify(hookName)}: ${reason}`);
  }
}

/** callWebhook posts the review and returns the verified answer; throws WebhookCallError, or a StatusError that always fails the request. */
export async function callWebhook(env: AdmissionEnvironment, inv: Invocation, a: AdmissionAttributes, subject: ReviewSubject, mutating: boolean): Promise<AdmissionResult> {
  const h = inv.hook;
  if (a.ctx.dryRun && h.sideEffects !== 'None' && h.sideEffects !== 'NoneOnDryRun') {
    if (!h.sideEffects) throw new WebhookCallError(h.name, 'Webhook SideEffects is nil', newBadRequest('Webhook SideEffects is nil'));
    throw dryRunUnsupported(h.name);
  }
  const review = newReview(h.admissionReviewVersions ?? [], subject);
  if (!review) throw new WebhookCallError(h.name, `could not create admission objects: ${NO_KNOWN_VERSION}`, newBadRequest('error creating admission objects'));
  let answer: unknown;
  try {
    answer = await postJSON(h.clientConfig, review.body, h.timeoutSeconds ?? 10, env.resolveService, a.ctx.signal);
  } catch (err) {
    if (err instanceof CallError) throw new WebhookCallError(h.name, `failed to call webhook: ${err.message}`, err.status);
    throw err;
  }
  const result = verifyResponse(review.uid, review.version, mutating, answer);
  if (typeof result === 'string') {
    throw new WebhookCallError(h.name, `received invalid webhook response: ${result}`, new StatusError(503, 'ServiceUnavailable', 'error validating webhook response'));
  }
  const annotations = (a.ctx.auditAnnotations ??= {});
  for (const [k, v] of Object.entries(result.auditAnnotations)) annotations[`${h.name}/${k}`] = v;
  a.ctx.warnings.push(...result.warnings);
  if (!result.allowed) throw toStatusError(h.name, result.status);
  return result;
}
