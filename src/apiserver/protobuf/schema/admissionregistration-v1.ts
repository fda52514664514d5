// SPDX-License-Identifier: Apache-2.0
/**
 * Protobuf field table of admissionregistration.k8s.io/v1 (Kubernetes 1.32):
 * webhook configurations and ValidatingAdmissionPolicy with its binding.
 * Notation is described in ./field-spec.ts. JSON names are the Go json tags:
 * where go-to-protobuf kept the Go field name (`Webhooks`, `Expression`,
 * `Name`) only the proto name differs, the field number is what is on the wire.
 * The Go structs embed `Rule` in `RuleWithOperations` (field 2) and
 * `RuleWithOperations` in `NamedRuleWithOperations` (field 2), both inlined
 * into the parent's JSON.
 */
import type { SchemaPackage } from './field-spec.js';

/** ADMISSIONREGISTRATION_V1 lists the admissionregistration.k8s.io/v1 messages by name, in the notation of field-spec.ts. */
export const ADMISSIONREGISTRATION_V1: SchemaPackage = {
  pkg: 'admissionregistration',
  apiVersion: 'admissionregistration.k8s.io/v1',
  kinds: ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'],
  messages: {
    AuditAnnotation: 'key=1:string! valueExpression=2:string!',
    ExpressionWarning: 'fieldRef=2:string! warning=3:string!',
    MatchCondition: 'name=1:string! expression=2:string!',
    MatchResources:
      'namespaceSelector=1:meta.LabelSelector? objectSelector=2:meta.LabelSelector? ' +
      'resourceRules=3:[]NamedRuleWithOperations excludeResourceRules=4:[]NamedRuleWithOperations matchPolicy=7:string?',
    MutatingWebhook:
      'name=1:string! clientConfig=2:WebhookClientConfig! rules=3:[]RuleWithOperations failurePolicy=4:string? ' +
      'matchPolicy=9:string? namespaceSelector=5:meta.LabelSelector? objectSelector=11:meta.LabelSelector? ' +
      'sideEffects=6:string? timeoutSeconds=7:int32? admissionReviewVersions=8:[]string reinvocationPolicy=10:string? ' +
      'matchConditions=12:[]MatchCondition',
    MutatingWebhookConfiguration: 'metadata=1:meta.ObjectMeta webhooks=2:[]MutatingWebhook',
    NamedRuleWithOperations: 'resourceNames=1:[]string *=2:RuleWithOperations!',
    ParamKind: 'apiVersion=1:string kind=2:string',
    ParamRef: 'name=1:string namespace=2:string selector=3:meta.LabelSelector? parameterNotFoundAction=4:string?',
    Rule: 'apiGroups=1:[]string apiVersions=2:[]string resources=3:[]string scope=4:string?',
    RuleWithOperations: 'operations=1:[]string *=2:Rule!',
    ServiceReference: 'namespace=1:string! name=2:string! path=3:string? port=4:int32?',
    TypeChecking: 'expressionWarnings=1:[]ExpressionWarning',
    ValidatingAdmissionPolicy:
      'metadata=1:meta.ObjectMeta spec=2:ValidatingAdmissionPolicySpec! status=3:ValidatingAdmissionPolicyStatus',
    ValidatingAdmissionPolicyBinding: 'metadata=1:meta.ObjectMeta spec=2:ValidatingAdmissionPolicyBindingSpec!',
    ValidatingAdmissionPolicyBindingSpec:
      'policyName=1:string paramRef=2:ParamRef? matchResources=3:MatchResources? validationActions=4:[]string',
    ValidatingAdmissionPolicySpec:
      'paramKind=1:ParamKind? matchConstraints=2:MatchResources? validations=3:[]Validation failurePolicy=4:string? ' +
      'auditAnnotations=5:[]AuditAnnotation matchConditions=6:[]MatchCondition variables=7:[]Variable',
    ValidatingAdmissionPolicyStatus:
      'observedGeneration=1:int64 typeChecking=2:TypeChecking? conditions=3:[]meta.Condition',
    ValidatingWebhook:
      'name=1:string! clientConfig=2:WebhookClientConfig! rules=3:[]RuleWithOperations failurePolicy=4:string? ' +
      'matchPolicy=9:string? namespaceSelector=5:meta.LabelSelector? objectSelector=10:meta.LabelSelector? ' +
      'sideEffects=6:string? timeoutSeconds=7:int32? admissionReviewVersions=8:[]string ' +
      'matchConditions=11:[]MatchCondition',
    ValidatingWebhookConfiguration: 'metadata=1:meta.ObjectMeta webhooks=2:[]ValidatingWebhook',
    Validation: 'expression=1:string! message=2:string reason=3:string? messageExpression=4:string',
    Variable: 'name=1:string! expression=2:string!',
    WebhookClientConfig: 'url=3:string? service=1:ServiceReference? caBundle=2:bytes',
  },
};
