// SPDX-License-Identifier: Apache-2.0
/**
 * Authorization: may this user do this verb on this resource (or path)?
 * The attributes mirror upstream's authorizer.Attributes. The server asks
 * after authentication and before any handler runs.
 */
import type { UserInfo } from './registry/request-context.js';
import { parseFieldSelector, parseLabelSelector, type FieldRequirement, type LabelRequirement } from '../machinery/index.js';

export interface AuthorizationAttributes {
  user: UserInfo;
  verb: string;
  resourceRequest: boolean;
  /** For non-resource requests (discovery, openapi): the URL path. */
  path?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /**
   * The request's field and label selectors, parsed (upstream's
   * GetFieldSelector/GetLabelSelector, KEP-4601): set for list, watch and
   * deletecollection only. A selector that does not parse leaves them unset,
   * so an authorizer sees no narrowing; the handler answers the 400 itself.
   */
  fieldSelector?: readonly FieldRequirement[];
  labelSelector?: readonly LabelRequirement[];
}

const SELECTOR_VERBS = ['list', 'watch', 'deletecollection'];

/** RequestSelectors are a request's selectors as written (query parameters, or a list call's options). */
export interface RequestSelectors {
  fieldSelector?: string | null;
  labelSelector?: string | null;
}

type SelectorAttributes = Pick<AuthorizationAttributes, 'fieldSelector' | 'labelSelector' | 'name'>;

/**
 * selectorAttributes parses a request's fieldSelector and labelSelector for
 * the authorizers, as upstream's GetAuthorizerAttributes does with
 * AuthorizeWithSelectors (on by default since 1.32). A list or watch without
 * a name whose field selector requires `metadata.name=<x>` is a read of that
 * one object, so `name` is set, as upstream's RequestInfoFactory does.
 */
export function selectorAttributes(verb: string, selectors: RequestSelectors | URLSearchParams, name?: string): SelectorAttributes {
  if (!SELECTOR_VERBS.includes(verb)) return {};
  const given = selectors instanceof URLSearchParams ? { fieldSelector: selectors.get('fieldSelector'), labelSelector: selectors.get('labelSelector') } : selectors;
  const out: SelectorAttributes = {};
  try {
    if (given.fieldSelector) out.fieldSelector = parseFieldSelector(given.fieldSelector).requirements;
  } catch {
    // Unparsable: no requirements (upstream records the error and authorizers ignore the selector).
  }
  try {
    if (given.labelSelector) out.labelSelector = parseLabelSelector(given.labelSelector).requirements;
  } catch {
    // As above.
  }
  if (!name && verb !== 'deletecollection') {
    const named = out.fieldSelector?.find((r) => r.field === 'metadata.name' && r.operator === '=')?.value;
    if (named !== undefined && isValidPathSegmentName(named)) out.name = named;
  }
  return out;
}

/** isValidPathSegmentName is apimachinery's path.IsValidPathSegmentName: a name that can stand in a URL path. */
function isValidPathSegmentName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('%');
}

export interface AuthorizationDecision {
  allowed: boolean;
  reason?: string;
}

export interface Authorizer {
  authorize(a: AuthorizationAttributes): Promise<AuthorizationDecision> | AuthorizationDecision;
}

/** allowAuthenticated lets every authenticated user do anything (the mode before RBAC is enforced). */
export const allowAuthenticated: Authorizer = {
  authorize: (a) => ({ allowed: a.user.groups.includes('system:authenticated') }),
};

/**
 * unionAuthorizer asks each authorizer in turn (upstream's
 * --authorization-mode=Node,RBAC): the first that allows decides; otherwise
 * the reasons given on the way are joined into the denial.
 */
export function unionAuthorizer(...authorizers: Authorizer[]): Authorizer {
  return {
    async authorize(a) {
      const reasons: string[] = [];
      for (const z of authorizers) {
        const d = await z.authorize(a);
        if (d.allowed) return d;
        if (d.reason) reasons.push(d.reason);
      }
      return { allowed: false, reason: reasons.length ? reasons.join('\n') : undefined };
    },
  };
}

/** forbiddenMessage renders upstream's 403 text for a denied request. */
export function forbiddenMessage(a: AuthorizationAttributes): string {
  const who = `User "${a.user.name}"`;
  if (!a.resourceRequest) return `${who} cannot ${a.verb.toLowerCase()} path "${a.path}"`;
  const res = a.group ? `${a.resource}.${a.group}` : a.resource;
  const target = a.subresource ? `resource "${a.resource}/${a.subresource}"` : `resource "${a.resource}"`;
  const scope = a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
  return `${res}${a.name ? ` "${a.name}"` : ''} is forbidden: ${who} cannot ${a.verb} ${target} in API group "${a.group ?? ''}"${scope}`;
}
