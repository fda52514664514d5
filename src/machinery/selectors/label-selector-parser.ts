// SPDX-License-Identifier: Apache-2.0
/**
 * Parser of the string form of label selectors, the grammar and error
 * messages of apimachinery pkg/labels (Lexer, Parser):
 *
 *   selector    ::= requirement | requirement "," selector
 *   requirement ::= [!] KEY [ ("in" | "notin") "(" VALUES ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
 *
 * `in` and `notin` are keywords only in operator position; whitespace separates.
 */
import { LabelSelectorError, newRequirement, validateLabelKey, type LabelOperator, type LabelRequirement } from './label-requirement.js';

type Token = 'error' | 'end' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';

interface Scanned {
  tok: Token;
  lit: string;
}

const KEYWORDS: Record<string, Token> = { ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', in: 'in', '<': '<', '!=': '!=', notin: 'notin', '(': '(' };
const isWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => '=!(),><'.includes(c);

/** scan tokenizes the whole selector, ending with an `end` token. */
function scan(s: string): Scanned[] {
  const out: Scanned[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    if (pos >= s.length) {
      out.push({ tok: 'end', lit: '' });
      return out;
    }
    const start = pos;
    if (isSpecial(s[pos])) {
      // Longest run of special characters that is still an operator, as scanSpecialSymbol.
      let best: Scanned | undefined;
      let end = pos;
      while (end < s.length && isSpecial(s[end])) {
        const candidate = s.slice(start, end + 1);
        if (KEYWORDS[candidate]) best = { tok: KEYWORDS[candidate], lit: candidate };
        else if (best) break;
        end++;
      }
      if (!best) {
        out.push({ tok: 'error', lit: `error expected: keyword found '${s.slice(start, end)}'` });
        pos = end;
      } else {
        out.push(best);
        pos = start + best.lit.length;
      }
      continue;
    }
    while (pos < s.length && !isSpecial(s[pos]) && !isWhitespace(s[pos])) pos++;
    const lit = s.slice(start, pos);
    out.push({ tok: KEYWORDS[lit] ?? 'id', lit });
  }
}

const binaryOperators = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

/** Parser walks scanned tokens; in the values context `in`/`notin` read as identifiers. */
class Parser {
  #items: Scanned[];
  #pos = 0;

  constructor(selector: string) {
    this.#items = scan(selector);
  }

  #peek(values = true): Scanned {
    return this.#asValue(this.#items[this.#pos], values);
  }

  #next(values = true): Scanned {
    return this.#asValue(this.#items[this.#pos++], values);
  }

  #asValue(s: Scanned, values: boolean): Scanned {
    return values && (s.tok === 'in' || s.tok === 'notin') ? { tok: 'id', lit: s.lit } : s;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.#peek();
      if (tok === 'end') return reqs;
      if (tok !== 'id' && tok !== '!') throw new LabelSelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      reqs.push(this.#requirement());
      const after = this.#next();
      if (after.tok === 'end') return reqs;
      if (after.tok !== ',') throw new LabelSelectorError(`found '${after.lit}', expected: ',' or 'end of string'`);
      const following = this.#peek();
      if (following.tok !== 'id' && following.tok !== '!') throw new LabelSelectorError(`found '${following.lit}', expected: identifier after ','`);
    }
  }

  #requirement(): LabelRequirement {
    try {
      const { key, unary } = this.#keyAndUnaryOperator();
      if (unary) return newRequirement(key, unary, [], '');
      const operator = this.#operator();
      const values = operator === 'in' || operator === 'notin' ? this.#valueSet() : this.#exactValue();
      return newRequirement(key, operator, [...new Set(values)].sort(), '');
    } catch (err) {
      if (err instanceof LabelSelectorError) throw new LabelSelectorError(`unable to parse requirement: ${err.message}`);
      throw err;
    }
  }

  /** keyAndUnaryOperator reads `[!]KEY`, inferring exists / does-not-exist when no operator follows. */
  #keyAndUnaryOperator(): { key: string; unary?: LabelOperator } {
    let t = this.#next();
    const negated = t.tok === '!';
    if (negated) t = this.#next();
    if (t.tok !== 'id') throw new LabelSelectorError(`found '${t.lit}', expected: identifier`);
    const keyErr = validateLabelKey(t.lit, '<nil>');
    if (keyErr) throw new LabelSelectorError(keyErr);
    const ahead = this.#peek().tok;
    if (negated) return { key: t.lit, unary: '!' };
    return { key: t.lit, unary: ahead === 'end' || ahead === ',' ? 'exists' : undefined };
  }

  #operator(): LabelOperator {
    const { tok, lit } = this.#next(false);
    const ops: Partial<Record<Token, LabelOperator>> = { in: 'in', notin: 'notin', '=': '=', '==': '==', '!=': '!=', '>': 'gt', '<': 'lt' };
    const op = ops[tok];
    if (!op) throw new LabelSelectorError(`found '${lit}', expected: ${binaryOperators.join(', ')}`);
    return op;
  }

  /** valueSet reads `( v1, v2, ... )`; empty members are the empty string, as upstream. */
  #valueSet(): string[] {
    const open = this.#next();
    if (open.tok !== '(') throw new LabelSelectorError(`found '${open.lit}' expected: '('`);
    const first = this.#peek();
    if (first.tok === ')') {
      this.#next();
      return [''];
    }
    if (first.tok !== 'id' && first.tok !== ',') throw new LabelSelectorError(`found '${first.lit}', expected: ',', ')' or identifier`);
    const values = this.#identifierList();
    if (this.#next().tok !== ')') throw new LabelSelectorError(`found '${first.lit}', expected: ')'`);
    return values;
  }

  #identifierList(): string[] {
    const values: string[] = [];
    for (;;) {
      const { tok, lit } = this.#next();
      if (tok === 'id') {
        values.push(lit);
        const ahead = this.#peek();
        if (ahead.tok === ')') return values;
        if (ahead.tok !== ',') throw new LabelSelectorError(`found '${ahead.lit}', expected: ',' or ')'`);
      } else if (tok === ',') {
        if (values.length === 0) values.push('');
        const ahead = this.#peek().tok;
        if (ahead === ')') {
          values.push('');
          return values;
        }
        if (ahead === ',') values.push('');
      } else {
        throw new LabelSelectorError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  #exactValue(): string[] {
    const ahead = this.#peek().tok;
    if (ahead === 'end' || ahead === ',') return [''];
    const { tok, lit } = this.#next();
    if (tok === 'id') return [lit];
    throw new LabelSelectorError(`found '${lit}', expected: identifier`);
  }
}

/** parseLabelRequirements parses a selector string into requirements sorted by key, or throws LabelSelectorError. */
export function parseLabelRequirements(selector: string): LabelRequirement[] {
  const reqs = new Parser(selector).parse();
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
