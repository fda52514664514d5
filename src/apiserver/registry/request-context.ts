// SPDX-License-Identifier: Apache-2.0
/** The per-request facts every registry operation needs: who asks, where, and how. */

/** UserInfo is the authenticated caller (user.Info upstream). */
export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  /** extra is what some authenticators add (a service account token's pod, node and credential id). */
  extra?: Record<string, string[]>;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface RequestContext {
  user: UserInfo;
  /** Namespace from the URL; undefined for cluster-scoped resources and all-namespace lists. */
  namespace?: string;
  dryRun: boolean;
  fieldValidation: FieldValidation;
  fieldManager?: string;
  /** userAgent of an HTTP request (the default field manager is its prefix); undefined in process. */
  userAgent?: string;
  /** Warnings to send back as `Warning: 299 - "..."` headers. */
  warnings: string[];
  /** auditAnnotations are what admission records about this request (webhook patches, failed-open calls), as upstream's audit annotations. */
  auditAnnotations?: Record<string, string>;
  signal?: AbortSignal;
}

/** SYSTEM_USER is the identity of in-process components that run with full rights. */
export const SYSTEM_USER: UserInfo = { name: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] };

/** newContext builds a context with the defaults upstream applies to a request without options. */
export function newContext(user: UserInfo, namespace?: string, opts: Partial<RequestContext> = {}): RequestContext {
  return { user, namespace, dryRun: false, fieldValidation: 'Warn', warnings: [], ...opts };
}
