// SPDX-License-Identifier: Apache-2.0
/**
 * Upstreams: the ready endpoints behind one (Service, port) pair, picked
 * round-robin as ingress-nginx's default load balancer does. An upstream
 * that cannot be served carries the problem instead (answered with 503,
 * as ingress-nginx answers a backend without endpoints).
 */

/** Endpoint is one backend address. */
export interface Endpoint {
  host: string;
  port: number;
}

/** BackendProblemReason names why a backend cannot be served; it doubles as the Event reason. */
export type BackendProblemReason = 'ServiceNotFound' | 'ServicePortNotFound' | 'NoEndpoints' | 'UnsupportedBackend';

/** BackendProblem says why an upstream has no endpoints to send to. */
export interface BackendProblem {
  reason: BackendProblemReason;
  message: string;
}

/** Upstream is the set of endpoints requests for one backend go to. */
export class Upstream {
  /** key is `namespace/service:port`, used for logs and to share upstreams between paths. */
  readonly key: string;
  readonly endpoints: readonly Endpoint[];
  readonly problem?: BackendProblem;
  #next = 0;

  constructor(key: string, endpoints: readonly Endpoint[], problem?: BackendProblem) {
    this.key = key;
    this.endpoints = endpoints;
    this.problem = problem ?? (endpoints.length === 0 ? { reason: 'NoEndpoints', message: `Service ${key} does not have any ready endpoints` } : undefined);
  }

  /** next returns the next endpoint in round-robin order, or undefined when there is none. */
  next(): Endpoint | undefined {
    const n = this.endpoints.length;
    if (n === 0) return undefined;
    const e = this.endpoints[this.#next % n];
    this.#next = (this.#next + 1) % n;
    return e;
  }
}
