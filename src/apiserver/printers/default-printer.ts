// SPDX-License-Identifier: Apache-2.0
/**
 * The table of kinds without a printer upstream (Role, ClusterRole,
 * LimitRange, custom resources without printer columns): NAME and CREATED AT,
 * as apiserver's rest.NewDefaultTableConvertor. CREATED AT is an RFC 3339
 * timestamp in UTC, not an age.
 */
import type { KubeObject } from '../../api/index.js';
import type { TableCell, TableConvertor } from './table.js';
import { column, nameColumn } from './columns.js';
import { parseTime } from './duration.js';

/** Go's zero time, which upstream prints for an object without creationTimestamp. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** defaultTableConvertor prints NAME and CREATED AT. */
export const defaultTableConvertor: TableConvertor = {
  columns: [nameColumn(), column('Created At', 'date', 'Time the object was created (metadata.creationTimestamp).')],
  row(obj: KubeObject): TableCell[] {
    return [obj.metadata?.name ?? '', rfc3339(obj.metadata?.creationTimestamp)];
  },
};

/** rfc3339 renders a timestamp in UTC at second precision, as Go's time.RFC3339 layout. */
function rfc3339(timestamp: string | undefined): string {
  const t = parseTime(timestamp);
  if (t === undefined) return ZERO_TIME;
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
