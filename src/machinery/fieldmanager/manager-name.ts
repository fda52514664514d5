// SPDX-License-Identifier: Apache-2.0
/** Field manager names: the `fieldManager` parameter, or upstream's default taken from the User-Agent. */
import type { FieldError } from '../errors.js';

/** FIELD_MANAGER_MAX_LENGTH is upstream's validation.FieldManagerMaxLength. */
export const FIELD_MANAGER_MAX_LENGTH = 128;

/**
 * managerFromUserAgent is upstream's prefixFromUserAgent: the User-Agent up
 * to its first `/` (`kubectl/v1.32.0 (linux/amd64) ...` gives `kubectl`),
 * without unprintable characters, cut to the maximum length.
 */
export function managerFromUserAgent(userAgent: string | undefined): string {
  // Every write without a fieldManager asks this; a client sends the same User-Agent on each of its requests.
  if (userAgent === lastUserAgent.userAgent) return lastUserAgent.manager;
  const manager = prefixOf(userAgent);
  lastUserAgent = { userAgent, manager };
  return manager;
}

let lastUserAgent: { userAgent: string | undefined; manager: string } = { userAgent: '', manager: '' };

function prefixOf(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0];
  let out = '';
  for (const ch of prefix) {
    if (!isPrintable(ch)) continue;
    if (Buffer.byteLength(out + ch) > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
  }
  return out;
}

function isPrintable(ch: string): boolean {
  // Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
  // ASCII (every User-Agent in practice) is decided without the Unicode property tables, which
  // are mapped into the process on first use.
  const cp = ch.codePointAt(0)!;
  if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
  return /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch);
}

/** validateFieldManager checks a `fieldManager` parameter as upstream's ValidateFieldManager. */
export function validateFieldManager(name: string): FieldError[] {
  const errs: FieldError[] = [];
  if (name.length > FIELD_MANAGER_MAX_LENGTH) {
    errs.push({ type: 'FieldValueTooLong', field: 'fieldManager', detail: `may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes` });
  }
  let i = 0;
  for (const ch of name) {
    if (!isPrintable(ch)) {
      const cp = ch.codePointAt(0)!;
      errs.push({ type: 'FieldValueInvalid', field: 'fieldManager', badValue: name, detail: `invalid character U+${cp.toString(16).toUpperCase().padStart(4, '0')} (at position ${i})` });
    }
    i += ch.length;
  }
  return errs;
}
