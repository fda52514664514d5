// SPDX-License-Identifier: Apache-2.0
/**
 * Prefix ranges over the lexically ordered key space, shared by the backends
 * so that every one of them agrees on what "under a prefix" means.
 */

/**
 * prefixEnd returns the smallest string greater than every string that starts
 * with prefix, or undefined when there is none (the empty prefix). This is
 * etcd's `clientv3.GetPrefixRangeEnd` on UTF-16 code units: keys follow the
 * ASCII layout `/registry/<group>/<resource>/...`, where UTF-16 order, UTF-8
 * byte order (SQLite's BINARY collation) and etcd's byte order coincide.
 */
export function prefixEnd(prefix: string): string | undefined {
  let end = prefix;
  while (end.length > 0) {
    const last = end.charCodeAt(end.length - 1);
    end = end.slice(0, -1);
    if (last < 0xffff) return end + String.fromCharCode(last + 1);
  }
  return undefined;
}
