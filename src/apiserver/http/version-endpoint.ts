// SPDX-License-Identifier: Apache-2.0
import { SKIFF_VERSION, KUBERNETES_VERSION } from '../../version.js';

/** versionInfo is what /version answers: upstream's version.Info fields, filled in for Skiff. */
export function versionInfo(): Record<string, string> {
  return {
    major: KUBERNETES_VERSION.major,
    minor: KUBERNETES_VERSION.minor,
    gitVersion: `v${KUBERNETES_VERSION.major}.${KUBERNETES_VERSION.minor}.${KUBERNETES_VERSION.patch}+skiff-${SKIFF_VERSION}`,
    gitCommit: 'skiff',
    gitTreeState: 'clean',
    buildDate: '2026-11-22T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
