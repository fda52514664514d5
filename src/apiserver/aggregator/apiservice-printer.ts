// SPDX-License-Identifier: Apache-2.0
/**
 * The APIService table, as kube-aggregator's registry/apiservice/etcd table
 * convertor prints it (`kubectl get apiservices`): NAME SERVICE AVAILABLE AGE,
 * SERVICE being `Local` or `<namespace>/<name>` and AVAILABLE the condition
 * status, with its reason in parentheses when not True.
 */
import { age, ageColumn, column, nameColumn, printer } from '../printers/columns.js';
import { availableCondition, type APIService } from './types.js';

/** availableCell is upstream's rendering of the Available condition. */
export function availableCell(s: APIService): string {
  const c = availableCondition(s);
  if (!c) return 'Unknown';
  if (c.status !== 'True' && c.reason) return `${c.status} (${c.reason})`;
  return c.status;
}

/** apiServiceTableConvertor: NAME SERVICE AVAILABLE AGE. */
export const apiServiceTableConvertor = printer<APIService>(
  [
    nameColumn(),
    column('Service', 'string', 'The reference to the service that hosts this API endpoint.'),
    column('Available', 'string', 'Whether this service is available.'),
    ageColumn(),
  ],
  (s, now) => [s.metadata?.name ?? '', s.spec?.service ? `${s.spec.service.namespace}/${s.spec.service.name}` : 'Local', availableCell(s), age(s, now)],
);
