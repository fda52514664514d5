// SPDX-License-Identifier: Apache-2.0
/** The spec shapes of ValidatingAdmissionPolicy and its binding, rules with the fields kubernetes-types leaves out. */
import type { MatchCondition, ParamKind, ParamRef, Validation, AuditAnnotation, Variable } from 'kubernetes-types/admissionregistration/v1.js';
import type { LabelSelector } from '../../../api/index.js';
import type { RuleWithOperations } from '../webhook/rules.js';

export interface MatchResources {
  resourceRules?: RuleWithOperations[];
  excludeResourceRules?: RuleWithOperations[];
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  matchPolicy?: string;
}

export interface PolicySpec {
  failurePolicy?: string;
  paramKind?: ParamKind;
  matchConstraints?: MatchResources;
  validations?: Validation[];
  auditAnnotations?: AuditAnnotation[];
  matchConditions?: MatchCondition[];
  variables?: Variable[];
}

export interface BindingSpec {
  policyName?: string;
  paramRef?: ParamRef;
  matchResources?: MatchResources;
  validationActions?: string[];
}
