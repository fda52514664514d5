// SPDX-License-Identifier: Apache-2.0
/**
 * The review APIs, served by code as upstream serves them (nothing is
 * stored; a POST answers with the request plus its status):
 * authentication.k8s.io/v1 SelfSubjectReview (`kubectl auth whoami`) and
 * TokenReview; authorization.k8s.io/v1 SelfSubjectAccessReview (`kubectl
 * auth can-i`), SubjectAccessReview, LocalSubjectAccessReview and
 * SelfSubjectRulesReview (`kubectl auth can-i --list`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isPlainObject, type KubeObject } from '../../api/index.js';
import { field, newBadRequest, newInvalid, newMethodNotSupported, type FieldError } from '../../machinery/index.js';
import type { AuthorizationAttributes, Authorizer } from '../authz.js';
import type { APIExtension, ExtensionResource } from '../extensions.js';
import { decodeBody, mediaTypeOf, readBody } from '../http/body.js';
import type { ResourceRequestInfo } from '../http/request-info.js';
import { writeJson } from '../http/response.js';
import type { UserInfo } from '../registry/request-context.js';
import type { PolicyRule } from './rbac-rules.js';
import { checkSelectorTypes, reviewSelectors, validateSelectorAttributes, type SelectorAttributes } from './access-review-selectors.js';

const AUTHN = 'authentication.k8s.io';
const AUTHZ = 'authorization.k8s.io';

function createOnly(name: string, kind: string, namespaced = false): ExtensionResource {
  return { name, singularName: name.replace(/s$/, ''), kind, namespaced, verbs: ['create'] };
}

/** TokenReviewer validates a bearer token for some audiences (the service account token issuer). */
export interface TokenReviewer {
  apiAudiences: string[];
  review(token: string, audiences: string[]): Promise<{ user: UserInfo; audiences: string[] } | { error: string }>;
}

/** RulesResolver lists the rules that apply to a user in a namespace (RBAC). */
export interface RulesResolver {
  rulesFor(user: UserInfo, namespace: string | undefined): { rules: PolicyRule[]; errors: string[] };
}

/** authenticationExtension serves authentication.k8s.io/v1 selfsubjectreviews and tokenreviews. */
export function authenticationExtension(tokens: TokenReviewer): APIExtension {
  return {
    group: AUTHN,
    version: 'v1',
    resources: [createOnly('selfsubjectreviews', 'SelfSubjectReview'), createOnly('tokenreviews', 'TokenReview')],
    async handle(req, res, info, _query, user) {
      const body = await readReview(req, info, info.resource === 'tokenreviews' ? 'TokenReview' : 'SelfSubjectReview');
      if (info.resource === 'selfsubjectreviews') {
        return answer(res, AUTHN, 'SelfSubjectReview', body, { userInfo: userInfoOf(user) });
      }
      const spec = (body.spec ?? {}) as { token?: string; audiences?: string[] };
      if (!spec.token) throw newInvalid('TokenReview', AUTHN, '', [field.required('spec.token')]);
      const audiences = spec.audiences?.length ? spec.audiences : tokens.apiAudiences;
      const r = await tokens.review(spec.token, audiences);
      const status = 'user' in r
        ? { authenticated: true, user: userInfoOf(r.user), audiences: spec.audiences?.length ? r.audiences : undefined }
        : { authenticated: false, user: {}, error: `[invalid bearer token, ${r.error}]` };
      return answer(res, AUTHN, 'TokenReview', body, status);
    },
  };
}

/** authorizationExtension serves the authorization.k8s.io/v1 access and rules reviews. */
export function authorizationExtension(authorizer: Authorizer, rules: RulesResolver): APIExtension {
  return {
    group: AUTHZ,
    version: 'v1',
    resources: [
      createOnly('selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
      createOnly('selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
      createOnly('subjectaccessreviews', 'SubjectAccessReview'),
      createOnly('localsubjectaccessreviews', 'LocalSubjectAccessReview', true),
    ],
    async handle(req, res, info, _query, user) {
      const kind = KINDS[info.resource]!;
      const body = await readReview(req, info, kind);
      const spec = (body.spec ?? {}) as AccessReviewSpec & { namespace?: string };
      if (kind === 'SelfSubjectRulesReview') {
        return answer(res, AUTHZ, kind, body, rulesReviewStatus(rules, user, spec.namespace));
      }
      if (isPlainObject(spec.resourceAttributes)) checkSelectorTypes(kind, spec.resourceAttributes as Record<string, unknown>);
      validateAccessReview(kind, spec, info.namespace, body.metadata);
      const subject = kind === 'SelfSubjectAccessReview' ? user : { name: spec.user ?? '', uid: spec.uid, groups: spec.groups ?? [] };
      const { attrs, evaluationErrors } = attributesOf(subject, spec, info.namespace);
      const d = await authorizer.authorize(attrs);
      const evaluationError = evaluationErrors.join('; ') || undefined;
      return answer(res, AUTHZ, kind, body, { allowed: d.allowed, reason: d.reason || undefined, evaluationError });
    },
  };
}

const KINDS: Record<string, string> = {
  selfsubjectaccessreviews: 'SelfSubjectAccessReview',
  selfsubjectrulesreviews: 'SelfSubjectRulesReview',
  subjectaccessreviews: 'SubjectAccessReview',
  localsubjectaccessreviews: 'LocalSubjectAccessReview',
};

interface AccessReviewSpec {
  resourceAttributes?: {
    namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string;
    fieldSelector?: SelectorAttributes | null; labelSelector?: SelectorAttributes | null;
  } | null;
  nonResourceAttributes?: { path?: string; verb?: string } | null;
  user?: string;
  groups?: string[];
  uid?: string;
}

/** readReview reads and checks the posted review (JSON, YAML or protobuf, as kubectl sends protobuf). */
async function readReview(req: IncomingMessage, info: ResourceRequestInfo, kind: string): Promise<KubeObject> {
  if (info.verb !== 'create' || info.name) throw newMethodNotSupported({ group: info.group, resource: info.resource }, info.name ? 'POST with a name' : info.verb);
  const media = mediaTypeOf(req);
  if (media !== 'json' && media !== 'yaml' && media !== 'protobuf') throw newBadRequest(`the body of the request was in an unknown format`);
  const body = decodeBody(await readBody(req), media);
  if (!isPlainObject(body)) throw newBadRequest('the body of the request must be an object');
  if (body.kind && body.kind !== kind) throw newBadRequest(`expected a ${kind}, got ${String(body.kind)}`);
  return body as KubeObject;
}

/** answer writes the review back with its status, 201 Created as upstream's create handler does. */
function answer(res: ServerResponse, group: string, kind: string, body: KubeObject, status: object): void {
  const meta = { ...(body.metadata ?? {}) };
  if (!meta.creationTimestamp) (meta as Record<string, unknown>).creationTimestamp = null;
  writeJson(res, 201, { kind, apiVersion: `${group}/v1`, metadata: meta, spec: body.spec, status: dropUndefined(status) });
}

function userInfoOf(u: UserInfo): Record<string, unknown> {
  return dropUndefined({ username: u.name, uid: u.uid || undefined, groups: u.groups, extra: u.extra && Object.keys(u.extra).length ? u.extra : undefined });
}

function dropUndefined<T extends object>(o: T): T {
  return JSON.parse(JSON.stringify(o)) as T;
}

/**
 * validateAccessReview is upstream's Validate(Local|Self)SubjectAccessReview:
 * exactly one kind of attributes, a subject for the non-self kinds (groups
 * are taken as given), valid selectors, and a LocalSubjectAccessReview
 * pinned to its namespace.
 */
function validateAccessReview(kind: string, spec: AccessReviewSpec, namespace: string | undefined, metadata: unknown): void {
  const errs: FieldError[] = [];
  const hasRes = !!spec.resourceAttributes;
  const hasNonRes = !!spec.nonResourceAttributes;
  if (hasRes && hasNonRes) errs.push(field.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes'));
  // Upstream reports the missing pair as Invalid with the (nil) nonResourceAttributes as its value.
  if (!hasRes && !hasNonRes) errs.push(field.invalid('spec.resourceAttributes', 'null', 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  if (kind !== 'SelfSubjectAccessReview' && !spec.user && !spec.groups?.length) errs.push(field.invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified'));
  if (spec.resourceAttributes) errs.push(...validateSelectorAttributes(spec.resourceAttributes));
  // A review is not stored: its metadata must be empty (a LocalSubjectAccessReview's but for its namespace; managedFields
  // aside). Upstream prints the bad value as a Go struct dump; here it is the metadata as JSON.
  const local = kind === 'LocalSubjectAccessReview';
  if (!metadataIsEmpty(metadata, local)) errs.push(field.invalid('metadata', metadata, local ? 'must be empty except for namespace' : 'must be empty'));
  if (local) {
    const ns = spec.resourceAttributes?.namespace ?? '';
    if (hasRes && ns !== (namespace ?? '')) errs.push(field.invalid('spec.resourceAttributes.namespace', ns, 'must match metadata.namespace'));
    if (hasNonRes) errs.push(field.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'disallowed on this kind of request'));
  }
  if (errs.length) throw newInvalid(kind, AUTHZ, '', errs);
}

/** OBJECT_META_FIELDS are ObjectMeta's fields; anything else in metadata is dropped by upstream's decoder and so not counted. */
const OBJECT_META_FIELDS = ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers'];

/** metadataIsEmpty: every ObjectMeta field is unset or its zero value (apimachinery's Semantic.DeepEqual takes nil and empty maps and lists as equal). */
function metadataIsEmpty(metadata: unknown, exceptNamespace: boolean): boolean {
  if (!isPlainObject(metadata)) return true;
  return OBJECT_META_FIELDS.every((f) => {
    if (exceptNamespace && f === 'namespace') return true;
    const v = metadata[f];
    if (v === undefined || v === null || v === '' || v === 0) return true;
    return Array.isArray(v) ? v.length === 0 : isPlainObject(v) && Object.keys(v).length === 0;
  });
}

/** attributesOf turns a review's spec into authorizer attributes (a LocalSubjectAccessReview is pinned to its namespace). */
export function attributesOf(user: UserInfo, spec: AccessReviewSpec, urlNamespace: string | undefined): { attrs: AuthorizationAttributes; evaluationErrors: string[] } {
  const r = spec.resourceAttributes;
  if (r) {
    // Selectors are passed whatever the verb, as upstream's ResourceAttributesFrom does.
    const { evaluationErrors, ...selectors } = reviewSelectors(r);
    const attrs: AuthorizationAttributes = {
      user,
      verb: r.verb ?? '',
      resourceRequest: true,
      group: r.group ?? '',
      // Upstream's ResourceAttributesFrom asks about every version ('*') when none is named (matchAllVersionIfEmpty).
      version: r.version || '*',
      resource: r.resource ?? '',
      subresource: r.subresource || undefined,
      namespace: urlNamespace ?? (r.namespace || undefined),
      name: r.name || undefined,
      ...selectors,
    };
    return { attrs, evaluationErrors };
  }
  const n = spec.nonResourceAttributes ?? {};
  return { attrs: { user, verb: n.verb ?? '', resourceRequest: false, path: n.path ?? '' }, evaluationErrors: [] };
}

/** rulesReviewStatus is SelfSubjectRulesReview's status: the rules of the requester in a namespace. */
function rulesReviewStatus(resolver: RulesResolver, user: UserInfo, namespace: string | undefined): object {
  const { rules, errors } = resolver.rulesFor(user, namespace || undefined);
  const resourceRules = rules
    .filter((r) => !r.nonResourceURLs?.length)
    .map((r) => dropUndefined({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], resourceNames: r.resourceNames?.length ? r.resourceNames : undefined }));
  const nonResourceRules = rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
  return { resourceRules, nonResourceRules, incomplete: errors.length > 0, evaluationError: errors.length ? errors.join(', ') : undefined };
}
