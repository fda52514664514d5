// SPDX-License-Identifier: Apache-2.0
/**
 * compareStrings orders strings as Go's strings.Compare and sort.Strings do
 * (by code unit, so "B" sorts before "a"), which is the order upstream's
 * controllers and admission sort names and timestamps in.
 * String.prototype.localeCompare sorts by locale collation instead, and its
 * first use maps several megabytes of ICU collation data into the process.
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
