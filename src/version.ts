// SPDX-License-Identifier: Apache-2.0
/** Versions Skiff reports: its own, and the Kubernetes API level it serves (kubectl warns on skew). */
export const SKIFF_VERSION = '0.1.0';
export const KUBERNETES_VERSION = { major: '1', minor: '32', patch: '0' } as const;
