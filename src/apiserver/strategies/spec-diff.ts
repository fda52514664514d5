// SPDX-License-Identifier: Apache-2.0
/**
 * A short rendering of what changed between two specs, appended to
 * "immutable" messages where upstream appends a cmp.Diff. Upstream's diff
 * prints Go structs; this lists the changed top-level fields as JSON.
 */
import { deepEqual } from '../../api/index.js';

/** describeSpecDiff lists the top-level fields that differ, in the `- old` / `+ new` shape of cmp.Diff. */
export function describeSpecDiff(typeName: string, oldSpec: Record<string, unknown>, newSpec: Record<string, unknown>): string {
  const keys = [...new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])].filter((k) => !deepEqual(oldSpec[k], newSpec[k])).sort();
  const lines = keys.flatMap((k) => [`- \t${k}: ${JSON.stringify(oldSpec[k] ?? null)},`, `+ \t${k}: ${JSON.stringify(newSpec[k] ?? null)},`]);
  return `  ${typeName}{\n${lines.join('\n')}\n  }\n`;
}
