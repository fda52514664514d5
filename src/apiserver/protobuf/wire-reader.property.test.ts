// SPDX-License-Identifier: Apache-2.0
/**
 * Property tests of the protobuf body decoder on arbitrary bytes, bare and
 * inside a valid envelope of a known kind: a decode yields an object or a
 * 400 StatusError, never another exception.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { StatusError } from '../../machinery/errors.js';
import { PROTOBUF_MAGIC, decodeProtobufBody } from './index.js';
import { WireWriter } from './wire-writer.js';

const seed = Number(process.env.SKIFF_FUZZ_SEED ?? 42);

function envelope(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const tm = new WireWriter().string(1, apiVersion).string(2, kind);
  const w = new WireWriter().message(1, tm).bytes(2, raw);
  return Buffer.concat([PROTOBUF_MAGIC, w.finish()]);
}

function decodesOr400(body: Buffer): void {
  try {
    decodeProtobufBody(body);
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 400)) throw err;
  }
}

test('arbitrary bytes after the magic decode or answer 400', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => decodesOr400(Buffer.concat([PROTOBUF_MAGIC, b]))), { seed, numRuns: 5000 });
});

test('arbitrary object bytes in a Pod, ConfigMap or Deployment envelope decode or answer 400', () => {
  const kinds = fc.constantFrom(['v1', 'Pod'], ['v1', 'ConfigMap'], ['apps/v1', 'Deployment'], ['v1', 'Service'], ['batch/v1', 'Job']);
  fc.assert(fc.property(kinds, fc.uint8Array({ maxLength: 400 }), ([v, k], raw) => decodesOr400(envelope(v, k, raw))), { seed, numRuns: 5000 });
});
