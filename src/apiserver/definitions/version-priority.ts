// SPDX-License-Identifier: Apache-2.0
/**
 * Kube-aware version ordering, as upstream's version.CompareKubeAwareVersionStrings
 * sorts the versions of a custom resource group: GA before beta before alpha,
 * higher numbers first, then anything not of the `v<N>[alpha|beta<M>]` form,
 * alphabetically.
 */
const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

function rank(v: string): [number, number, number] | undefined {
  const m = KUBE_VERSION.exec(v);
  if (!m) return undefined;
  const stability = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return [stability, Number(m[1]), Number(m[3] ?? 0)];
}

/** compareKubeVersions sorts preferred versions first (negative when `a` is preferred). */
export function compareKubeVersions(a: string, b: string): number {
  const ra = rank(a);
  const rb = rank(b);
  if (!ra || !rb) {
    if (ra) return -1;
    if (rb) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return rb[i]! - ra[i]!;
  return 0;
}
