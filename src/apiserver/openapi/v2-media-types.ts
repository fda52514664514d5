// SPDX-License-Identifier: Apache-2.0
/**
 * Content negotiation for /openapi/v2, as kube-openapi's v2 handler does it:
 * the Accept clauses are tried in order of preference and the first one
 * matching a served form (wildcards allowed) wins; nothing matching is 406.
 * client-go's discovery asks for the protobuf form only, so answering 406 to
 * it breaks kubectl's client-side validation.
 */

/**
 * OPENAPI_V2_PROTOBUF is the Content-Type of gnostic's protobuf form. Upstream
 * answers this dotted spelling even when asked for the `@` one client-go
 * sends: `@` is not a token character, so Go's mime.ParseMediaType (which
 * client-go runs on every response) rejects a Content-Type containing it.
 */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** OPENAPI_V2_PROTOBUF_ACCEPT is how client-go's discovery asks for the protobuf form (upstream's deprecated spelling). */
export const OPENAPI_V2_PROTOBUF_ACCEPT = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

/** V2Format is a form /openapi/v2 is served in. */
export type V2Format = 'json' | 'protobuf';

/** The served subtypes of `application/`, in upstream's order of preference for wildcards. */
const SUBTYPES: ReadonlyArray<[string, V2Format]> = [
  ['json', 'json'],
  ['com.github.proto-openapi.spec.v2@v1.0+protobuf', 'protobuf'],
  ['com.github.proto-openapi.spec.v2.v1.0+protobuf', 'protobuf'],
];

interface Clause {
  type: string;
  subtype: string;
  q: number;
}

/** parseAccept splits an Accept header into clauses, most preferred first (by q, then by specificity, as goautoneg sorts). */
function parseAccept(accept: string): Clause[] {
  const clauses: Clause[] = [];
  for (const part of accept.split(',')) {
    const [range, ...params] = part.split(';').map((x) => x.trim());
    const slash = range.indexOf('/');
    if (slash <= 0) continue;
    const qParam = params.find((p) => p.toLowerCase().startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    // q=0 means "not acceptable" (RFC 9110 §12.4.2).
    if (!(q > 0)) continue;
    clauses.push({ type: range.slice(0, slash).toLowerCase(), subtype: range.slice(slash + 1).toLowerCase(), q });
  }
  const specificity = (c: Clause): number => (c.type === '*' ? 0 : c.subtype === '*' ? 1 : 2);
  return clauses.map((c, i) => ({ c, i })).sort((a, b) => b.c.q - a.c.q || specificity(b.c) - specificity(a.c) || a.i - b.i).map((x) => x.c);
}

/** negotiateV2Format returns the form an Accept header asks for; a missing header means any (JSON), undefined means 406. */
export function negotiateV2Format(accept: string | undefined): V2Format | undefined {
  for (const c of parseAccept(accept?.trim() ? accept : '*/*')) {
    if (c.type !== 'application' && c.type !== '*') continue;
    const match = SUBTYPES.find(([subtype]) => c.subtype === subtype || c.subtype === '*');
    if (match) return match[1];
  }
  return undefined;
}
