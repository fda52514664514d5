// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity, tryParseQuantity, Quantity, QUANTITY_FORMAT_ERROR, QUANTITY_SUFFIX_ERROR } from './quantity.js';

test('parseQuantity reads values in milli-units and units', () => {
  assert.equal(parseQuantity('100m').milliValue(), 100);
  assert.equal(parseQuantity('1').milliValue(), 1000);
  assert.equal(parseQuantity('0.5').milliValue(), 500);
  assert.equal(parseQuantity('1Gi').value(), 1024 ** 3);
  assert.equal(parseQuantity('1e3').value(), 1000);
  assert.equal(parseQuantity('1k').value(), 1000);
  assert.equal(parseQuantity('1.5').value(), 2, 'value() rounds up as upstream');
  assert.equal(parseQuantity('-1.5').value(), -2);
  assert.equal(parseQuantity('1n').milliValue(), 1);
  assert.equal(parseQuantity(0.25).milliValue(), 250);
});

test('toString gives the canonical form upstream serializes', () => {
  const cases: [string, string][] = [
    ['100m', '100m'], ['0.5', '500m'], ['1000m', '1'], ['1000', '1k'], ['1024Mi', '1Gi'], ['1.5Gi', '1536Mi'],
    ['2000Mi', '2000Mi'], ['0.5Ki', '512'], ['1e3', '1e3'], ['1e4', '10e3'], ['0', '0'], ['0Gi', '0'],
    ['1.0001', '1000100u'], ['128974848', '128974848'], ['129e6', '129e6'], ['123Mi', '123Mi'], ['-1', '-1'],
    ['1E', '1E'], ['0.1m', '100u'], ['12e-3', '12e-3'],
  ];
  for (const [input, want] of cases) assert.equal(parseQuantity(input).toString(), want, input);
});

test('parse errors carry upstream messages', () => {
  assert.throws(() => parseQuantity('abc'), { message: QUANTITY_FORMAT_ERROR });
  assert.throws(() => parseQuantity(''), { message: QUANTITY_FORMAT_ERROR });
  assert.throws(() => parseQuantity('1K'), { message: QUANTITY_SUFFIX_ERROR });
  assert.throws(() => parseQuantity('1Gb'), { message: QUANTITY_FORMAT_ERROR });
  assert.equal(tryParseQuantity('x'), QUANTITY_FORMAT_ERROR);
  assert.equal(tryParseQuantity({}), QUANTITY_FORMAT_ERROR);
});

test('arithmetic, comparison and builders', () => {
  assert.equal(parseQuantity('1').cmp(parseQuantity('1000m')), 0);
  assert.ok(parseQuantity('2').cmp(parseQuantity('1')) > 0);
  assert.equal(parseQuantity('1Gi').add(parseQuantity('1Gi')).toString(), '2Gi');
  assert.equal(Quantity.fromMilli(1500).toString(), '1500m');
  assert.equal(Quantity.fromValue(1024 * 1024, 'BinarySI').toString(), '1Mi');
  assert.equal(parseQuantity('1.0001m').roundUpToMilli().toString(), '2m');
  assert.equal(JSON.stringify({ q: parseQuantity('0.5') }), '{"q":"500m"}');
});
