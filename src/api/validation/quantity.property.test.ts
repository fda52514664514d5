// SPDX-License-Identifier: Apache-2.0
/**
 * Property tests of quantity parsing on arbitrary client text and numbers:
 * a parse either succeeds or throws QuantityParseError, and a canonical form
 * parses back to itself (upstream's Quantity round trip).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { QuantityParseError, canonicalQuantity, parseQuantity } from './quantity.js';

const seed = Number(process.env.SKIFF_FUZZ_SEED ?? 42);
const suffix = fc.constantFrom('', 'm', 'k', 'M', 'G', 'T', 'P', 'E', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'n', 'u', 'e3', 'E-2', 'e', 'i', 'KiB');
const quantityText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.tuple(fc.constantFrom('', '+', '-', '--'), fc.stringMatching(/^[0-9]{0,25}(\.[0-9]{0,25})?$/), suffix).map((p) => p.join('')),
);

test('quantities parse or fail with QuantityParseError', () => {
  fc.assert(
    fc.property(fc.oneof(quantityText, fc.double()), (q) => {
      try {
        parseQuantity(q as string);
      } catch (err) {
        if (!(err instanceof QuantityParseError)) throw err;
      }
    }),
    { seed, numRuns: 5000 },
  );
});

test('a canonical quantity parses back to itself', () => {
  fc.assert(
    fc.property(quantityText, (q) => {
      let canon: unknown;
      try {
        parseQuantity(q);
        canon = canonicalQuantity(q);
      } catch (err) {
        if (err instanceof QuantityParseError) return;
        throw err;
      }
      if (typeof canon !== 'string') return;
      assert.equal(canonicalQuantity(canon), canon, `${q} -> ${canon}`);
    }),
    { seed, numRuns: 5000 },
  );
});
