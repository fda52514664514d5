// SPDX-License-Identifier: Apache-2.0
/**
 * Property tests of the selector parsers on arbitrary client text: each
 * either parses or fails with its own error type (a 400 to the client),
 * never with a TypeError or RangeError (a 500), and parsing what it printed
 * gives the same selector back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StatusError } from '../errors.js';
import { LabelSelectorError } from './index.js';
import { parseLabelRequirements } from './label-selector-parser.js';
import { fieldSelectorToString, parseFieldSelector } from './field-selector.js';
import { buildPredicate } from './object-predicate.js';
import { RESOURCES } from '../../api/resources.js';

const selectorText = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.array(fc.constantFrom('a', 'b.io/c', '=', '==', '!=', ' in ', ' notin ', '(', ')', ',', '!', 'x', '1', ' ', '\\', '/', '-', '.', '%', 'é', '\u0000', 'k'.repeat(70)), { maxLength: 25 }).map((p) => p.join('')),
);

const seed = Number(process.env.SKIFF_FUZZ_SEED ?? 42);

test('label selectors parse or fail with LabelSelectorError', () => {
  fc.assert(
    fc.property(selectorText, (s) => {
      try {
        parseLabelRequirements(s);
      } catch (err) {
        if (!(err instanceof LabelSelectorError)) throw err;
      }
    }),
    { seed, numRuns: 3000 },
  );
});

test('field selectors parse or fail with a 400, and their printed form parses to the same selector', () => {
  fc.assert(
    fc.property(selectorText, (s) => {
      let parsed;
      try {
        parsed = parseFieldSelector(s);
      } catch (err) {
        if (err instanceof StatusError && err.code === 400) return;
        throw err;
      }
      const again = parseFieldSelector(fieldSelectorToString(parsed));
      assert.deepEqual(again, parsed);
    }),
    { seed, numRuns: 3000 },
  );
});

test('the predicate builder of every resource answers 4xx to any selector pair', () => {
  fc.assert(
    fc.property(fc.constantFrom(...RESOURCES), fc.option(selectorText, { nil: undefined }), fc.option(selectorText, { nil: undefined }), (r, label, field) => {
      try {
        buildPredicate(r, label, field);
      } catch (err) {
        if (err instanceof StatusError && err.code >= 400 && err.code < 500) return;
        throw err;
      }
    }),
    { seed, numRuns: 3000 },
  );
});
