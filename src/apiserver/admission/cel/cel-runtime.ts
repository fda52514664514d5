// SPDX-License-Identifier: Apache-2.0
/**
 * The CEL runtime (@bufbuild/cel with the strings extension), required (its
 * CommonJS build) the first time an expression is compiled: a server with no
 * admission policies, webhook matchConditions or CRD validation rules never
 * needs it, and loading its ~130 files would cost every server start (about
 * 0.4 s on a loaded 2-core machine) and an idle server memory.
 */
import { createRequire } from 'node:module';
import type * as Cel from '@bufbuild/cel';
import type { CelEnv } from '@bufbuild/cel';
import type * as CelExt from '@bufbuild/cel/ext';

/** CelRuntime is the library and the environment every expression compiles in. */
export interface CelRuntime {
  cel: typeof Cel;
  env: CelEnv;
}

const requireLazily = createRequire(import.meta.url);
let runtime: CelRuntime | undefined;

/** celRuntime loads the runtime on first use. */
export function celRuntime(): CelRuntime {
  if (!runtime) {
    const cel = requireLazily('@bufbuild/cel') as typeof Cel;
    const { strings } = requireLazily('@bufbuild/cel/ext') as typeof CelExt;
    runtime = { cel, env: cel.celEnv({ funcs: strings }) };
  }
  return runtime;
}
