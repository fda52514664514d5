// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoBool, queryBool, queryInt, queryOptionalBool, wantsPretty, QueryParameterError } from './index.js';

const q = (s: string) => new URLSearchParams(s);

test('queryBool decodes as upstream parameter conversion: absent, "false" and "0" (any case) are false, the rest true', () => {
  for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True', '', 'yes']) assert.equal(queryBool(q(`watch=${v}`), 'watch'), true, v);
  for (const v of ['0', 'false', 'False', 'FALSE', 'fAlSe']) assert.equal(queryBool(q(`watch=${v}`), 'watch'), false, v);
  assert.equal(queryBool(q(''), 'watch'), false);
  assert.equal(queryOptionalBool(q(''), 'sendInitialEvents'), undefined);
  assert.equal(queryOptionalBool(q('sendInitialEvents=False'), 'sendInitialEvents'), false);
});

test('parseGoBool is strconv.ParseBool', () => {
  for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseGoBool(v), true);
  for (const v of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseGoBool(v), false);
  for (const v of ['', 'yes', 'tRUE']) assert.equal(parseGoBool(v), undefined);
});

test('queryInt reads base-10 integers and names the parameter otherwise', () => {
  assert.equal(queryInt(q('limit=25'), 'limit'), 25);
  assert.equal(queryInt(q('limit='), 'limit'), undefined);
  assert.throws(() => queryInt(q('limit=2.5'), 'limit'), QueryParameterError);
  assert.throws(() => queryInt(q('limit=-1'), 'limit', { min: 0 }), /limit/);
});

test('wantsPretty: ?pretty decides, else curl, Wget and browsers get indented JSON', () => {
  assert.equal(wantsPretty(q('pretty=true'), 'kubectl/v1.32'), true);
  assert.equal(wantsPretty(q('pretty=0'), 'curl/8.0'), false);
  assert.equal(wantsPretty(q(''), 'curl/8.0'), true);
  assert.equal(wantsPretty(q(''), 'Wget/1.21'), true);
  assert.equal(wantsPretty(q(''), 'OpenAPI-Generator/22.6.0/python'), false);
});
