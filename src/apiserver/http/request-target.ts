// SPDX-License-Identifier: Apache-2.0
/**
 * The path and query of a request, as the WHATWG URL parser gives them
 * (Go's url.Parse upstream), without building a URL for the common target
 * that parsing would leave as it is.
 */

/** RequestTarget is the part of a URL a request is routed by. */
export interface RequestTarget {
  readonly pathname: string;
  readonly searchParams: URLSearchParams;
}

/**
 * A path the URL parser returns unchanged: absolute (and not `//`, which it
 * reads as a host), of characters it neither escapes nor decodes nor treats
 * specially (no `%`, `\`, `#`, spaces or non-ASCII), with no `.` or `..`
 * segment to resolve.
 */
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;
/** A query the parser keeps as it is and URLSearchParams reads alike (no `'`, which it escapes, no leading `?`). */
const PLAIN_QUERY = /^[A-Za-z0-9\-._~!$&()*+,;=:@/%]*$/;

/** parseRequestTarget reads a request's target (`req.url`); a target out of the plain form takes the URL parser. */
export function parseRequestTarget(raw: string): RequestTarget {
  const q = raw.indexOf('?');
  const pathname = q < 0 ? raw : raw.slice(0, q);
  const query = q < 0 ? '' : raw.slice(q + 1);
  if (PLAIN_PATH.test(pathname) && !DOT_SEGMENT.test(pathname) && PLAIN_QUERY.test(query)) {
    return { pathname, searchParams: new URLSearchParams(query) };
  }
  return new URL(raw, 'https://localhost');
}
