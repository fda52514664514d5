// SPDX-License-Identifier: Apache-2.0
/**
 * The CEL runtime (@bufbuild/cel with the strings extension), shared by
 * admission's expressions and CRD validation rules. It is required (its
 * CommonJS build) the first time an expression is compiled: a server with
 * no ValidatingAdmissionPolicy, webhook matchCondition or
 * x-kubernetes-validations rule never needs it, and loading it (with
 * @bufbuild/protobuf and re2, about a third of the code a server loads)
 * costs an idle server memory.
 */
import { createRequire } from 'node:module';
import type * as Cel from '@bufbuild/cel';
import type { CelEnv } from '@bufbuild/cel';
import type * as CelExt from '@bufbuild/cel/ext';

export type CelModule = typeof Cel;

const requireLazily = createRequire(import.meta.url);
let runtime: { cel: CelModule; env: CelEnv } | undefined;

/** celRuntime loads the CEL runtime on first use and returns it with the environment expressions compile in. */
export function celRuntime(): { cel: CelModule; env: CelEnv } {
  if (!runtime) {
    const cel = requireLazily('@bufbuild/cel') as CelModule;
    const { strings } = requireLazily('@bufbuild/cel/ext') as typeof CelExt;
    runtime = { cel, env: cel.celEnv({ funcs: strings }) };
  }
  return runtime;
}
