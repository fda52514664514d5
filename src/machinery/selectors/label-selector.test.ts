// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import {
  everythingLabelSelector,
  fromLabelSelector,
  isEverything,
  labelSelectorToString,
  matchesLabels,
  nothingLabelSelector,
  parseLabelSelector,
  selectorFromSet,
} from './label-selector.js';

function badRequest(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StatusError, String(err));
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    return err.message;
  }
  assert.fail('expected a 400');
}

test('good selectors round-trip to their canonical string (upstream TestSelectorParse)', () => {
  for (const s of ['x=a,y=b,z=c', '', 'x!=a,y=b', 'x=', 'x= ', 'x=,z= ', 'x= ,z= ', '!x', 'x>1', 'x>1,z<5']) {
    assert.equal(labelSelectorToString(parseLabelSelector(s)), s.replace(/ /g, ''), s);
  }
});

test('canonical form sorts requirements by key and set values', () => {
  const sel = parseLabelSelector('z in (b,a), a==x, !m, k notin (q), e');
  assert.equal(labelSelectorToString(sel), 'a==x,e,k notin (q),!m,z in (a,b)');
});

test('bad selectors are 400 (upstream TestSelectorParse)', () => {
  for (const s of ['x=a||y=b', 'x==a==b', '!x=a', 'x<a', 'x=a,', ',x', 'x in a', 'x in (a', 'a b']) badRequest(() => parseLabelSelector(s));
});

test('parse errors carry upstream messages', () => {
  assert.equal(badRequest(() => parseLabelSelector('!x=a')), "found '=', expected: ',' or 'end of string'");
  assert.equal(badRequest(() => parseLabelSelector('x=a,')), "found '', expected: identifier after ','");
  assert.equal(badRequest(() => parseLabelSelector('x in a')), "unable to parse requirement: found 'a' expected: '('");
  assert.equal(badRequest(() => parseLabelSelector('x ! a')), "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt");
  assert.equal(badRequest(() => parseLabelSelector(',')), "found ',', expected: !, identifier, or 'end of string'");
  assert.match(badRequest(() => parseLabelSelector('x<a')), /^unable to parse requirement: values\[0\]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer$/);
});

test('invalid keys and values report field errors like upstream', () => {
  assert.equal(
    badRequest(() => parseLabelSelector('-x=a')),
    'unable to parse requirement: <nil>: Invalid value: "-x": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')',
  );
  assert.match(badRequest(() => parseLabelSelector('x=a@b')), /^unable to parse requirement: values\[0\]\[x\]: Invalid value: "a@b": a valid label must be an empty string/);
  assert.match(badRequest(() => parseLabelSelector('Example.com/x=a')), /prefix part a lowercase RFC 1123 subdomain/);
});

test('in/notin accept empty members and keywords as values', () => {
  const sel = parseLabelSelector('x in (in,,notin)');
  assert.deepEqual(sel.requirements[0].values, ['', 'in', 'notin']);
  assert.ok(matchesLabels(parseLabelSelector('x in ()'), { x: '' }));
});

test('matching follows Requirement.Matches', () => {
  const labels = { app: 'web', tier: 'fe', n: '5' };
  const cases: [string, boolean][] = [
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (db,web)', true],
    ['app notin (db,web)', false],
    ['missing notin (a)', true],
    ['missing in (a)', false],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['n>4', true],
    ['n>5', false],
    ['n<6', true],
    ['app>1', false],
    ['app=web,tier=fe', true],
    ['app=web,tier=be', false],
    ['', true],
  ];
  for (const [s, want] of cases) assert.equal(matchesLabels(parseLabelSelector(s), labels), want, s);
  assert.equal(matchesLabels(parseLabelSelector('!a'), undefined), true);
});

test('metav1.LabelSelector: null matches nothing, empty matches everything', () => {
  assert.equal(matchesLabels(fromLabelSelector(null), {}), false);
  assert.equal(matchesLabels(fromLabelSelector(undefined), { a: '1' }), false);
  assert.ok(isEverything(fromLabelSelector({})));
  assert.ok(matchesLabels(fromLabelSelector({ matchLabels: {}, matchExpressions: [] }), { a: '1' }));
  assert.equal(isEverything(nothingLabelSelector()), false);
  assert.ok(isEverything(everythingLabelSelector()));
});

test('metav1.LabelSelector: matchLabels and matchExpressions are ANDed', () => {
  const sel = fromLabelSelector({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['fe', 'be'] },
      { key: 'env', operator: 'NotIn', values: ['prod'] },
      { key: 'team', operator: 'Exists' },
      { key: 'canary', operator: 'DoesNotExist' },
    ],
  });
  assert.equal(labelSelectorToString(sel), 'app=web,!canary,env notin (prod),team,tier in (be,fe)');
  assert.ok(matchesLabels(sel, { app: 'web', tier: 'fe', team: 'x' }));
  assert.equal(matchesLabels(sel, { app: 'web', tier: 'fe', team: 'x', canary: '1' }), false);
  assert.equal(matchesLabels(sel, { app: 'web', tier: 'fe', team: 'x', env: 'prod' }), false);
});

test('metav1.LabelSelector: invalid operators and values are 400', () => {
  assert.equal(badRequest(() => fromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] })), '"Gt" is not a valid label selector operator');
  assert.match(badRequest(() => fromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })), /values: Invalid value: \[\]: for 'in', 'notin' operators, values set can't be empty/);
  badRequest(() => fromLabelSelector({ matchLabels: { 'bad key': 'x' } }));
});

test('selectorFromSet matches exactly the set', () => {
  const sel = selectorFromSet({ b: '2', a: '1' });
  assert.equal(labelSelectorToString(sel), 'a=1,b=2');
  assert.ok(matchesLabels(sel, { a: '1', b: '2', c: '3' }));
  assert.equal(matchesLabels(sel, { a: '1' }), false);
  assert.ok(isEverything(selectorFromSet(undefined)));
});
