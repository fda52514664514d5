// SPDX-License-Identifier: Apache-2.0
/**
 * The tables of the admissionregistration.k8s.io kinds, as upstream's
 * printers.go: webhook configurations NAME WEBHOOKS AGE; policies NAME
 * VALIDATIONS PARAMKIND AGE; bindings NAME POLICYNAME PARAMREF AGE.
 */
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding, ValidatingWebhookConfiguration } from 'kubernetes-types/admissionregistration/v1.js';
import { age, ageColumn, column, nameColumn, printer } from '../printers/columns.js';

export const webhookConfigurationTableConvertor = printer<ValidatingWebhookConfiguration>(
  [nameColumn(), column('Webhooks', 'integer', 'Webhooks indicates the number of webhooks registered in this configuration'), ageColumn()],
  (c, now) => [c.metadata?.name ?? '', c.webhooks?.length ?? 0, age(c, now)],
);

export const validatingAdmissionPolicyTableConvertor = printer<ValidatingAdmissionPolicy>(
  [
    nameColumn(),
    column('Validations', 'integer', 'Validations indicates the number of validation rules defined in this configuration'),
    column('ParamKind', 'string', 'ParamKind specifies the kind of resources used to parameterize this policy'),
    ageColumn(),
  ],
  (p, now) => {
    const pk = p.spec?.paramKind;
    return [p.metadata?.name ?? '', p.spec?.validations?.length ?? 0, pk ? `${pk.apiVersion}/${pk.kind}` : '<unset>', age(p, now)];
  },
);

export const validatingAdmissionPolicyBindingTableConvertor = printer<ValidatingAdmissionPolicyBinding>(
  [
    nameColumn(),
    column('PolicyName', 'string', 'PolicyName indicates the policy definition which the policy binding binded to'),
    column('ParamRef', 'string', 'ParamRef indicates the param resource which sets the configration param'),
    ageColumn(),
  ],
  (b, now) => {
    const r = b.spec?.paramRef;
    const ref = r ? (r.namespace ? `${r.namespace}/${r.name ?? '*'}` : r.name ?? '*') : '<unset>';
    return [b.metadata?.name ?? '', b.spec?.policyName ?? '', ref, age(b, now)];
  },
);
