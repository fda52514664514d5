// SPDX-License-Identifier: Apache-2.0
/**
 * Query parameters as upstream decodes them. Every boolean, integer and
 * string parameter the API server and the kubelet read goes through these
 * functions, so `watch=True` (the Python client), `watch=1` (client-go) and
 * `watch=true` (kubectl) mean the same everywhere.
 */

/**
 * QueryParameterError is a parameter that does not decode; the API server
 * answers it with 400 BadRequest, the kubelet with a 400 Status.
 */
export class QueryParameterError extends Error {
  override readonly name = 'QueryParameterError';
}

/**
 * queryBool decodes a boolean parameter the way upstream's parameter codec
 * does for every option struct (ListOptions.watch, DeleteOptions,
 * PodExecOptions, PodLogOptions...): absent is false; "false" and "0" in any
 * case are false; every other value, the empty string included, is true.
 * This accepts all of Go's strconv.ParseBool true spellings (1 t T TRUE true
 * True) and its "0"/"false"/"FALSE"/"False" false spellings.
 * https://github.com/kubernetes/kubernetes/blob/2262bf1c3149df443f461ec6486004d195c77a14/staging/src/k8s.io/apimachinery/pkg/runtime/conversion.go#L84
 */
export function queryBool(query: URLSearchParams, name: string): boolean {
  return queryOptionalBool(query, name) ?? false;
}

/** queryOptionalBool is queryBool for `*bool` fields: undefined when the parameter is absent. */
export function queryOptionalBool(query: URLSearchParams, name: string): boolean | undefined {
  const v = query.get(name);
  if (v === null) return undefined;
  const lower = v.toLowerCase();
  return !(lower === 'false' || lower === '0');
}

/**
 * parseGoBool is Go's strconv.ParseBool: undefined for anything it rejects.
 * Upstream uses it where a handler reads a parameter by hand rather than
 * through the parameter codec (`pretty`).
 */
export function parseGoBool(v: string): boolean | undefined {
  switch (v) {
    case '1': case 't': case 'T': case 'TRUE': case 'true': case 'True':
      return true;
    case '0': case 'f': case 'F': case 'FALSE': case 'false': case 'False':
      return false;
    default:
      return undefined;
  }
}

/**
 * queryInt decodes an int64 parameter (limit, timeoutSeconds,
 * gracePeriodSeconds, tailLines...): undefined when absent or empty, an error
 * naming the parameter when not a base-10 integer (strconv.ParseInt).
 */
export function queryInt(query: URLSearchParams, name: string, opts: { min?: number } = {}): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw new QueryParameterError(`invalid value for ${name}: ${JSON.stringify(v)}`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new QueryParameterError(`invalid value for ${name}: ${JSON.stringify(v)}: value out of range`);
  if (opts.min !== undefined && n < opts.min) throw new QueryParameterError(`invalid value for ${name}: ${JSON.stringify(v)}`);
  return n;
}

/** queryString is a string parameter: the first value, undefined when absent (a repeated parameter takes its first, as Go's Values.Get). */
export function queryString(query: URLSearchParams, name: string): string | undefined {
  return query.get(name) ?? undefined;
}

/**
 * wantsPretty says whether to indent JSON answers, as upstream's
 * negotiation.isPrettyPrint: `?pretty=` decides when present (ParseBool,
 * unparsable is false); otherwise curl, Wget and browsers get indented JSON.
 */
export function wantsPretty(query: URLSearchParams | undefined, userAgent: string | undefined): boolean {
  const p = query?.get('pretty');
  if (p) return parseGoBool(p) ?? false;
  const ua = userAgent ?? '';
  return ua.startsWith('curl') || ua.startsWith('Wget') || ua.startsWith('Mozilla/5.0');
}
