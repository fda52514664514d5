// SPDX-License-Identifier: Apache-2.0
/**
 * The APIService strategy, as kube-aggregator's registry/apiservice and
 * apis/apiregistration/validation: the name must be `<version>.<group>`,
 * priorities within their ranges, a local APIService has neither caBundle
 * nor insecureSkipTLSVerify, a remote one names its service, and the two TLS
 * settings exclude each other. The service port defaults to 443.
 */
import { field, type FieldError } from '../../machinery/index.js';
import { isDNS1035Label, isDNS1123Subdomain, isValidPathSegmentName } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import type { APIService } from './types.js';

const CONDITION_STATUSES = ['True', 'False', 'Unknown'];

/** validateAPIService is upstream's ValidateAPIService. */
export function validateAPIService(s: APIService): FieldError[] {
  const spec = s.spec ?? {};
  const group = spec.group ?? '';
  const version = spec.version ?? '';
  const required = `${version}.${group}`;
  const errs: FieldError[] = [];
  const name = s.metadata.name ?? '';
  // The generic metadata check reports a name that is no path segment; only a valid one is compared.
  if (name && isValidPathSegmentName(name).length === 0 && name !== required) errs.push(field.invalid('metadata.name', name, `must be \`spec.version+"."+spec.group\`: ${JSON.stringify(required)}`));
  if (!group && version !== 'v1') errs.push(field.required('spec.group', 'only v1 may have an empty group and it better be legacy kube'));
  if (group) for (const m of isDNS1123Subdomain(group)) errs.push(field.invalid('spec.group', group, m));
  for (const m of isDNS1035Label(version)) errs.push(field.invalid('spec.version', version, m));
  const gpm = spec.groupPriorityMinimum ?? 0;
  if (!(gpm > 0 && gpm <= 20000)) errs.push(field.invalid('spec.groupPriorityMinimum', gpm, 'must be positive and less than 20000'));
  const vp = spec.versionPriority ?? 0;
  if (!(vp > 0 && vp <= 1000)) errs.push(field.invalid('spec.versionPriority', vp, 'must be positive and less than 1000'));
  const caBundle = spec.caBundle ?? '';
  if (!spec.service) {
    if (caBundle) errs.push(field.invalid('spec.caBundle', `${Buffer.from(caBundle, 'base64').length} bytes`, 'local APIServices may not have a caBundle'));
    if (spec.insecureSkipTLSVerify) errs.push(field.invalid('spec.insecureSkipTLSVerify', true, 'local APIServices may not have insecureSkipTLSVerify'));
    return errs;
  }
  if (!spec.service.namespace) errs.push(field.required('spec.service.namespace'));
  if (!spec.service.name) errs.push(field.required('spec.service.name'));
  const port = spec.service.port ?? 443;
  if (!Number.isInteger(port) || port < 1 || port > 65535) errs.push(field.invalid('spec.service.port', port, 'port is not valid: must be between 1 and 65535, inclusive'));
  if (spec.insecureSkipTLSVerify && caBundle) errs.push(field.invalid('spec.insecureSkipTLSVerify', true, 'may not be true if caBundle is present'));
  return errs;
}

/** validateAPIServiceStatus is upstream's ValidateAPIServiceStatus: condition statuses are True, False or Unknown. */
function validateAPIServiceStatus(s: APIService): FieldError[] {
  return (s.status?.conditions ?? []).flatMap((c, i) => (CONDITION_STATUSES.includes(c.status) ? [] : [field.notSupported(`status.conditions[${i}].status`, c.status, CONDITION_STATUSES)]));
}

/** apiServiceStrategy is the ResourceStrategy of apiregistration.k8s.io/v1 APIServices. */
export const apiServiceStrategy: ResourceStrategy = {
  default(obj) {
    const service = (obj as APIService).spec?.service;
    if (service && service.port === undefined) service.port = 443;
  },
  validate: (obj) => validateAPIService(obj as APIService),
  validateStatusUpdate: (obj) => validateAPIServiceStatus(obj as APIService),
};
