// SPDX-License-Identifier: Apache-2.0
/**
 * apiregistration.k8s.io/v1 APIService, as kube-aggregator defines it: a
 * group/version served either by this server (Local: no service) or by an
 * extension API server behind a Service, with an Available condition.
 */
import type { KubeObject } from '../../api/index.js';

export const APIREGISTRATION_GROUP = 'apiregistration.k8s.io';

/** APIServiceSpec is the spec of an APIService (port defaults to 443, as upstream's v1 defaults). */
export interface APIServiceSpec {
  service?: { namespace?: string; name?: string; port?: number } | null;
  group?: string;
  version?: string;
  insecureSkipTLSVerify?: boolean;
  /** caBundle is base64 PEM in JSON. */
  caBundle?: string;
  groupPriorityMinimum?: number;
  versionPriority?: number;
}

export interface APIServiceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface APIService extends KubeObject {
  spec?: APIServiceSpec;
  status?: { conditions?: APIServiceCondition[] };
}

/** AUTOMANAGED_LABEL marks APIServices the server keeps itself, as upstream's autoregister controller. */
export const AUTOMANAGED_LABEL = 'kube-aggregator.kubernetes.io/automanaged';

/** apiServiceName is `<version>.<group>` (`v1.` for the core group). */
export function apiServiceName(group: string, version: string): string {
  return `${version}.${group}`;
}

/** availableCondition returns the Available condition, if any. */
export function availableCondition(s: APIService): APIServiceCondition | undefined {
  return s.status?.conditions?.find((c) => c.type === 'Available');
}

/** isAvailable is upstream's IsAPIServiceConditionTrue(Available). */
export function isAvailable(s: APIService): boolean {
  return availableCondition(s)?.status === 'True';
}

/** isLocal: no service, so this server serves the group/version itself. */
export function isLocal(s: APIService): boolean {
  return !s.spec?.service;
}
