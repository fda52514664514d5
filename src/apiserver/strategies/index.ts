// SPDX-License-Identifier: Apache-2.0
/**
 * Per-kind strategies: what each served kind adds to the generic create and
 * update pipeline (defaults, validation, update rules), as upstream's
 * `pkg/registry/<group>/<kind>/strategy.go` with `pkg/apis/*` defaults and
 * validation. Each kind's strategy is declared with its definition
 * (src/apiserver/definitions/builtin.ts); kinds with nothing special get an
 * empty strategy.
 */
import type { ResourceStrategy } from '../strategy.js';
import { builtinStrategy } from '../definitions/builtin.js';

export { nameRuleFor, validateObjectMeta } from '../../api/index.js';
export type { NameRule, ValidateObjectMetaOptions } from '../../api/index.js';
export { validateNodePortRange, DEFAULT_NODE_PORT_RANGE, type NodePortRange } from './service.js';
export { podQOSClass } from './pod.js';
export { JOB_LABELS } from './job.js';

/** strategyFor returns the strategy of a built-in kind; an empty one for kinds with nothing particular. */
export function strategyFor(group: string, kind: string): ResourceStrategy {
  return builtinStrategy(group, kind);
}
