// SPDX-License-Identifier: Apache-2.0
// Round trips of admissionregistration.k8s.io/v1 objects: each JSON object is
// encoded by hand with upstream's field numbers (generated.proto of
// k8s.io/api/admissionregistration/v1), so a wrong number, name, inlining or
// presence rule in the schema table shows up as a difference after decoding.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtobufBody } from './index.js';
import { WireWriter as W, protobufEnvelope } from './wire-writer.js';

const API_VERSION = 'admissionregistration.k8s.io/v1';
const CREATED = 1767323045; // 2026-01-02T03:04:05Z

/** roundTrip decodes a hand-encoded body and checks it gives back the JSON object, with no field left unknown. */
function roundTrip(json: Record<string, unknown>, body: W): void {
  const { object, unknownFields } = decodeProtobufBody(protobufEnvelope(API_VERSION, json.kind as string, body));
  assert.deepEqual(object, json);
  assert.deepEqual(unknownFields, []);
}

// meta.v1: ObjectMeta 1 name, 11 labels; LabelSelector 1 matchLabels, 2 matchExpressions {1 key, 2 operator, 3 values}.
const meta = (name: string): W => new W().string(1, name);
const matchLabels = (labels: Record<string, string>): W => {
  const w = new W();
  for (const [k, v] of Object.entries(labels)) w.mapEntry(1, k, v);
  return w;
};
const strings = (w: W, field: number, values: string[]): W => {
  for (const v of values) w.string(field, v);
  return w;
};

// RuleWithOperations: 1 operations, 2 the embedded Rule {1 apiGroups, 2 apiVersions, 3 resources, 4 scope}.
interface RuleJSON {
  operations: string[];
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  scope?: string;
}
const ruleWithOperations = (r: RuleJSON): W => {
  const rule = strings(strings(strings(new W(), 1, r.apiGroups), 2, r.apiVersions), 3, r.resources);
  if (r.scope !== undefined) rule.string(4, r.scope);
  return strings(new W(), 1, r.operations).message(2, rule);
};
// NamedRuleWithOperations: 1 resourceNames, 2 the embedded RuleWithOperations.
const namedRule = (r: RuleJSON & { resourceNames?: string[] }): W => strings(new W(), 1, r.resourceNames ?? []).message(2, ruleWithOperations(r));
// MatchCondition: 1 name, 2 expression.
const matchCondition = (name: string, expression: string): W => new W().string(1, name).string(2, expression);

describe('admissionregistration.k8s.io/v1 protobuf round trips', () => {
  it('MutatingWebhookConfiguration with a service reference, inlined rules, selectors and every pointer field', () => {
    const rule: RuleJSON = { operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' };
    const json = {
      apiVersion: API_VERSION,
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'inject-sidecar', labels: { app: 'injector' } },
      webhooks: [
        {
          name: 'sidecar.example.com',
          clientConfig: { service: { namespace: 'injector', name: 'webhook', path: '/mutate', port: 8443 }, caBundle: 'AP8B' },
          rules: [rule],
          failurePolicy: 'Ignore',
          matchPolicy: 'Equivalent',
          namespaceSelector: { matchExpressions: [{ key: 'runlevel', operator: 'NotIn', values: ['0', '1'] }] },
          objectSelector: { matchLabels: { inject: 'true' } },
          sideEffects: 'None',
          timeoutSeconds: 5,
          admissionReviewVersions: ['v1', 'v1beta1'],
          reinvocationPolicy: 'IfNeeded',
          matchConditions: [{ name: 'not-kube-system', expression: "request.namespace != 'kube-system'" }],
        },
      ],
    };
    // MutatingWebhook: 1 name, 2 clientConfig {1 service {1 namespace, 2 name, 3 path, 4 port}, 2 caBundle, 3 url},
    // 3 rules, 4 failurePolicy, 5 namespaceSelector, 6 sideEffects, 7 timeoutSeconds, 8 admissionReviewVersions,
    // 9 matchPolicy, 10 reinvocationPolicy, 11 objectSelector, 12 matchConditions.
    const webhook = new W()
      .string(1, 'sidecar.example.com')
      .message(2, new W().message(1, new W().string(1, 'injector').string(2, 'webhook').string(3, '/mutate').varint(4, 8443)).bytes(2, Buffer.from([0, 255, 1])))
      .message(3, ruleWithOperations(rule))
      .string(4, 'Ignore')
      .message(5, new W().message(2, strings(new W().string(1, 'runlevel').string(2, 'NotIn'), 3, ['0', '1'])))
      .string(6, 'None')
      .varint(7, 5)
      .string(8, 'v1')
      .string(8, 'v1beta1')
      .string(9, 'Equivalent')
      .string(10, 'IfNeeded')
      .message(11, matchLabels({ inject: 'true' }))
      .message(12, matchCondition('not-kube-system', "request.namespace != 'kube-system'"));
    roundTrip(json, new W().message(1, meta('inject-sidecar').mapEntry(11, 'app', 'injector')).message(2, webhook));
  });

  it('ValidatingWebhookConfiguration with a URL client config, its own objectSelector and matchConditions numbers', () => {
    const rule: RuleJSON = { operations: ['*'], apiGroups: ['apps'], apiVersions: ['*'], resources: ['deployments', 'deployments/scale'], scope: '*' };
    const json = {
      apiVersion: API_VERSION,
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'policy' },
      webhooks: [
        {
          name: 'deployments.policy.example.com',
          clientConfig: { url: 'https://203.0.113.10:9443/validate' },
          rules: [rule],
          failurePolicy: 'Fail',
          matchPolicy: 'Exact',
          objectSelector: { matchLabels: { team: 'a' } },
          sideEffects: 'NoneOnDryRun',
          timeoutSeconds: 0,
          admissionReviewVersions: ['v1'],
          matchConditions: [{ name: 'has-owner', expression: "has(object.metadata.labels) && 'owner' in object.metadata.labels" }],
        },
        { name: 'minimal.policy.example.com', clientConfig: { url: 'https://203.0.113.11/' }, sideEffects: 'None', admissionReviewVersions: ['v1'] },
      ],
    };
    // ValidatingWebhook has no reinvocationPolicy: objectSelector is 10 and matchConditions 11 (12 and 11 in MutatingWebhook).
    const first = new W()
      .string(1, 'deployments.policy.example.com')
      .message(2, new W().string(3, 'https://203.0.113.10:9443/validate'))
      .message(3, ruleWithOperations(rule))
      .string(4, 'Fail')
      .string(6, 'NoneOnDryRun')
      .varint(7, 0)
      .string(8, 'v1')
      .string(9, 'Exact')
      .message(10, matchLabels({ team: 'a' }))
      .message(11, matchCondition('has-owner', "has(object.metadata.labels) && 'owner' in object.metadata.labels"));
    const second = new W().string(1, 'minimal.policy.example.com').message(2, new W().string(3, 'https://203.0.113.11/')).string(6, 'None').string(8, 'v1');
    roundTrip(json, new W().message(1, meta('policy')).message(2, first).message(2, second));
  });

  it('ValidatingAdmissionPolicy with params, match constraints, validations, audit annotations, variables and status', () => {
    const included = { resourceNames: ['web'], operations: ['CREATE', 'UPDATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] };
    const excluded = { operations: ['*'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments/scale'], scope: 'Namespaced' };
    const json = {
      apiVersion: API_VERSION,
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'replica-limit' },
      spec: {
        paramKind: { apiVersion: 'rules.example.com/v1', kind: 'ReplicaLimit' },
        matchConstraints: {
          namespaceSelector: { matchLabels: { env: 'prod' } },
          objectSelector: {},
          resourceRules: [included],
          excludeResourceRules: [excluded],
          matchPolicy: 'Exact',
        },
        validations: [
          { expression: 'object.spec.replicas <= params.maxReplicas', message: 'too many replicas', reason: 'Forbidden', messageExpression: "'replicas: ' + string(object.spec.replicas)" },
          { expression: 'variables.replicas >= 1' },
        ],
        failurePolicy: 'Fail',
        auditAnnotations: [{ key: 'high-replica-count', valueExpression: "'replicas set to ' + string(object.spec.replicas)" }],
        matchConditions: [{ name: 'not-dry-run', expression: '!request.dryRun' }],
        variables: [{ name: 'replicas', expression: 'object.spec.replicas' }],
      },
      status: {
        observedGeneration: 2,
        typeChecking: { expressionWarnings: [{ fieldRef: 'spec.validations[0].expression', warning: 'no such key: maxReplicas' }] },
        conditions: [{ type: 'TypeChecked', status: 'True', observedGeneration: 2, lastTransitionTime: '2026-01-02T03:04:05Z', reason: 'Checked', message: '' }],
      },
    };
    // MatchResources: 1 namespaceSelector, 2 objectSelector, 3 resourceRules, 4 excludeResourceRules, 7 matchPolicy.
    const matchConstraints = new W().message(1, matchLabels({ env: 'prod' })).message(2, new W()).message(3, namedRule(included)).message(4, namedRule(excluded)).string(7, 'Exact');
    // ValidatingAdmissionPolicySpec: 1 paramKind {1 apiVersion, 2 kind}, 2 matchConstraints, 3 validations
    // {1 expression, 2 message, 3 reason, 4 messageExpression}, 4 failurePolicy, 5 auditAnnotations
    // {1 key, 2 valueExpression}, 6 matchConditions, 7 variables {1 name, 2 expression}.
    const spec = new W()
      .message(1, new W().string(1, 'rules.example.com/v1').string(2, 'ReplicaLimit'))
      .message(2, matchConstraints)
      .message(3, new W().string(1, 'object.spec.replicas <= params.maxReplicas').string(2, 'too many replicas').string(3, 'Forbidden').string(4, "'replicas: ' + string(object.spec.replicas)"))
      // client-go writes the empty value strings of the second validation; omitempty drops them from the JSON.
      .message(3, new W().string(1, 'variables.replicas >= 1').string(2, '').string(4, ''))
      .string(4, 'Fail')
      .message(5, new W().string(1, 'high-replica-count').string(2, "'replicas set to ' + string(object.spec.replicas)"))
      .message(6, matchCondition('not-dry-run', '!request.dryRun'))
      .message(7, new W().string(1, 'replicas').string(2, 'object.spec.replicas'));
    // ValidatingAdmissionPolicyStatus: 1 observedGeneration, 2 typeChecking {1 expressionWarnings {2 fieldRef, 3 warning}},
    // 3 conditions (meta.v1 Condition: 1 type, 2 status, 3 observedGeneration, 4 lastTransitionTime, 5 reason, 6 message).
    const condition = new W().string(1, 'TypeChecked').string(2, 'True').varint(3, 2).message(4, new W().varint(1, CREATED)).string(5, 'Checked').string(6, '');
    const status = new W()
      .varint(1, 2)
      .message(2, new W().message(1, new W().string(2, 'spec.validations[0].expression').string(3, 'no such key: maxReplicas')))
      .message(3, condition);
    roundTrip(json, new W().message(1, meta('replica-limit')).message(2, spec).message(3, status));
  });

  it('ValidatingAdmissionPolicyBinding with a param selector, match resources and validation actions', () => {
    const rule = { operations: ['CREATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] };
    const json = {
      apiVersion: API_VERSION,
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'replica-limit-prod' },
      spec: {
        policyName: 'replica-limit',
        paramRef: { namespace: 'prod', selector: { matchLabels: { limit: 'default' } }, parameterNotFoundAction: 'Deny' },
        matchResources: { objectSelector: { matchLabels: { tier: 'web' } }, resourceRules: [rule] },
        validationActions: ['Deny', 'Audit'],
      },
    };
    // ValidatingAdmissionPolicyBindingSpec: 1 policyName, 2 paramRef {1 name, 2 namespace, 3 selector,
    // 4 parameterNotFoundAction}, 3 matchResources, 4 validationActions. The empty ParamRef.name client-go writes is omitempty.
    const spec = new W()
      .string(1, 'replica-limit')
      .message(2, new W().string(1, '').string(2, 'prod').message(3, matchLabels({ limit: 'default' })).string(4, 'Deny'))
      .message(3, new W().message(2, matchLabels({ tier: 'web' })).message(3, namedRule(rule)))
      .string(4, 'Deny')
      .string(4, 'Audit');
    roundTrip(json, new W().message(1, meta('replica-limit-prod')).message(2, spec));
  });
});
