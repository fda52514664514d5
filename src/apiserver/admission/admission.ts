// SPDX-License-Identifier: Apache-2.0
/**
 * Admission: ordered plugins that may change (mutating phase) and then
 * accept or reject (validating phase) a create or update before it is
 * stored, as kube-apiserver's admission chain does. A plugin names the
 * resources it handles; plugins run in registration order.
 */
import type { KubeObject } from '../../api/index.js';
import type { ResourceInfo } from '../../api/index.js';
import type { RequestContext } from '../registry/request-context.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionAttributes {
  operation: AdmissionOperation;
  resource: ResourceInfo;
  subresource?: string;
  object: KubeObject;
  oldObject?: KubeObject;
  ctx: RequestContext;
}

export interface AdmissionPlugin {
  name: string;
  /** handles says whether this plugin looks at a request for this resource and subresource. */
  handles(resource: ResourceInfo, subresource: string | undefined, op: AdmissionOperation): boolean;
  /** admit may change the object (mutating phase). */
  admit?(a: AdmissionAttributes): Promise<void> | void;
  /** validate may reject with a StatusError (validating phase, after field validation). */
  validate?(a: AdmissionAttributes): Promise<void> | void;
}

/** AdmissionChain runs plugins in order; empty by default so a bare registry admits everything. */
export class AdmissionChain {
  readonly #plugins: AdmissionPlugin[] = [];

  register(p: AdmissionPlugin): void {
    if (this.#plugins.some((x) => x.name === p.name)) throw new Error(`admission plugin ${p.name} registered twice`);
    this.#plugins.push(p);
  }

  // A plugin that answers synchronously is not awaited: each await is a turn of the microtask queue, on every write.
  async admit(a: AdmissionAttributes): Promise<void> {
    for (const p of this.#plugins) {
      if (!p.admit || !p.handles(a.resource, a.subresource, a.operation)) continue;
      const pending = p.admit(a);
      if (pending) await pending;
    }
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    for (const p of this.#plugins) {
      if (!p.validate || !p.handles(a.resource, a.subresource, a.operation)) continue;
      const pending = p.validate(a);
      if (pending) await pending;
    }
  }
}
