// SPDX-License-Identifier: Apache-2.0
/**
 * Body decode failures in upstream's words. A create or update body that is
 * not JSON fails in Go's encoding/json with `invalid character 'a' looking
 * for beginning of value`, which the create handler's transformDecodeError
 * wraps as `the object provided is unrecognized (must be of type
 * Namespace): couldn't get version/kind; json parse error: ... (<summary>)`
 * (k8s.io/apiserver/pkg/endpoints/handlers/rest.go). V8's SyntaxError texts
 * are mapped onto Go's for the cases they tell apart.
 */

/** goJsonSyntaxMessage turns a JSON.parse SyntaxError on `text` into encoding/json's message. */
export function goJsonSyntaxMessage(text: string, err: Error): string {
  const m = err.message;
  const at = /at position (\d+)/.exec(m);
  const charAt = (i: number) => JSON.stringify(text[i] ?? '').slice(1, -1).replace(/^'$/, "\\'");
  if (/Unexpected end of JSON input/.test(m)) return 'unexpected end of JSON input';
  if (/Unexpected non-whitespace character after JSON/.test(m) && at) return `invalid character '${charAt(Number(at[1]))}' after top-level value`;
  if (/Expected property name/.test(m) && at) return `invalid character '${charAt(Number(at[1]))}' looking for beginning of object key string`;
  if (/Expected ':' after property name/.test(m) && at) return `invalid character '${charAt(Number(at[1]))}' after object key`;
  if (/Expected ',' or '}' after property value/.test(m) && at) return `invalid character '${charAt(Number(at[1]))}' after object key:value pair`;
  if (/Expected ',' or ']' after array element/.test(m) && at) return `invalid character '${charAt(Number(at[1]))}' after array element`;
  const token = /Unexpected token '(.)'/.exec(m);
  if (token) return `invalid character '${token[1]}' looking for beginning of value`;
  return m;
}

/** summarizeData is upstream's summary of an undecodable body: up to 30 bytes, as text when it looks like JSON, else hex. */
export function summarizeData(data: Buffer, maxLength = 30): string {
  if (data.length === 0) return '<empty>';
  const head = data.subarray(0, maxLength);
  const more = data.length > maxLength ? ' ...' : '';
  return data[0] === 0x7b ? head.toString('utf8') + more : head.toString('hex') + more;
}

/** unrecognizedObjectMessage is transformDecodeError's text for a body whose kind could not be read. */
export function unrecognizedObjectMessage(kind: string, data: Buffer, err: Error): string {
  return `the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: ${goJsonSyntaxMessage(data.toString('utf8'), err)} (${summarizeData(data)})`;
}
