// SPDX-License-Identifier: Apache-2.0
/**
 * The files a ConfigMap or Secret volume (or projected source) publishes:
 * one per key, or only the chosen items, with upstream's FailedMount messages
 * for a missing source or key.
 */
import type { ConfigMap, KeyToPath, Secret } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../machinery/index.js';
import { writeAtomic, type PayloadFile } from './atomic-writer.js';
import { secretValue } from './container-env.js';
import { VolumeError } from './volume-host.js';

/** DEFAULT_MODE is upstream's volume file mode when neither the item nor the volume sets one. */
export const DEFAULT_MODE = 0o644;

/** optional awaits a source object; a missing one is skipped when the volume is optional, a FailedMount otherwise. */
export async function optional<T>(p: Promise<T>, isOptional: boolean | undefined, notFound: string): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (!isNotFound(err)) throw err;
    if (isOptional) return undefined;
    throw new VolumeError(notFound);
  }
}

/** cmEntries are a ConfigMap's data and binaryData keys as bytes. */
export function cmEntries(cm: ConfigMap | undefined): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm?.data ?? {})) m.set(k, Buffer.from(v));
  for (const [k, v] of Object.entries(cm?.binaryData ?? {})) m.set(k, Buffer.from(v, 'base64'));
  return m;
}

/** secretEntries are a Secret's keys as bytes. */
export function secretEntries(s: Secret | undefined): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  if (!s) return m;
  for (const k of Object.keys({ ...(s.data ?? {}), ...(s.stringData ?? {}) })) m.set(k, Buffer.from(secretValue(s, k) ?? ''));
  return m;
}

// items project chosen keys to paths; without items every key becomes a file (upstream MakePayload).
export function keyPayload(
  entries: Map<string, Buffer>, items: KeyToPath[] | undefined, defaultMode: number | undefined, isOptional: boolean | undefined, kind: string,
): Map<string, PayloadFile> {
  const mode = defaultMode ?? DEFAULT_MODE;
  const out = new Map<string, PayloadFile>();
  if (!items?.length) {
    for (const [k, data] of entries) out.set(k, { data, mode });
    return out;
  }
  for (const it of items) {
    const data = entries.get(it.key);
    if (!data) {
      if (isOptional) continue;
      throw new VolumeError(`${kind} references non-existent config key: ${it.key}`);
    }
    out.set(it.path, { data, mode: it.mode ?? mode });
  }
  return out;
}

/** published writes payload into dir through the atomic `..data` swap and returns dir. */
export function published(dir: string, payload: Map<string, PayloadFile>): string {
  writeAtomic(dir, payload);
  return dir;
}
