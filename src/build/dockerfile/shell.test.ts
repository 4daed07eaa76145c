import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShellLexer, envMap } from './shell.js';

const env = envMap(['PWD=/home', 'SHELL=bash', 'NULL=']);
const lex = new ShellLexer();

// [input, expected or null for an error]
const cases: [string, string | null][] = [
  ['hello', 'hello'],
  ["he'll'o", 'hello'],
  ["he'llo", null],
  ["he\\'llo", "he'llo"],
  ['abc\\tdef', 'abctdef'],
  ['"abc\\tdef"', 'abc\\tdef'],
  ['"abc\\\\tdef"', 'abc\\tdef'],
  ["'abc\\tdef'", 'abc\\tdef'],
  ['hello\\', 'hello'],
  ['"hello', null],
  ['$.', '$.'],
  ['he$1x', 'hex'],
  ['he$PWD', 'he/home'],
  ['he\\$PWD', 'he$PWD'],
  ['"he\\$PWD"', 'he$PWD'],
  ['\\${}', '${}'],
  ['${}', null],
  ['he${hi}xx', 'hexx'],
  ['he${PWD}', 'he/home'],
  ['he${.}', null],
  ['he${XXX:-000}xx', 'he000xx'],
  ['he${PWD:-000}xx', 'he/homexx'],
  ['he${XXX:-${PWD:-yyy}}xx', 'he/homexx'],
  ['he${XXX:YYY}', null],
  ['he${XXX?}', null],
  ['he${PWD?}', 'he/home'],
  ['he${NULL?}', 'he'],
  ['he${NULL:?}', null],
  ['he${NULL-x}', 'he'],
  ['he${NULL:-x}', 'hex'],
  ['he${NULL+x}', 'hex'],
  ['he${NULL:+x}', 'he'],
  ['he${PWD:+${SHELL}}xx', 'hebashxx'],
  ["'he${XX}'", 'he${XX}'],
  ['"he\'$PWD\'"', "he'/home'"],
  ['he${PWD', null],
  ['he${PWD:=000}xx', null],
  ['he${XXX:-\\$PWD:}xx', 'he$PWD:xx'],
  ["안'녕'하세요", '안녕하세요'],
];

test('word expansion follows BuildKit', () => {
  for (const [src, want] of cases) {
    if (want === null) assert.throws(() => lex.word(src, env), /./, src);
    else assert.equal(lex.word(src, env), want, src);
  }
});

test('${a:?msg} names the variable and message', () => {
  assert.throws(() => lex.word('${XXX:?must be set}', env), /XXX: must be set/);
  assert.throws(() => lex.word('${NULL:?}', env), /NULL: is not allowed to be empty/);
});

test('words split on unquoted white space of expanded values', () => {
  const e = envMap(['space=abc  def', 'leading=  ab c']);
  assert.deepEqual(lex.words('hello${space}bye', e), ['helloabc', 'defbye']);
  assert.deepEqual(lex.words('hello"${space}"bye', e), ['helloabc  defbye']);
  assert.deepEqual(lex.words('hello${leading}def', e), ['hello', 'ab', 'cdef']);
  assert.deepEqual(lex.words('hello\\ there', e), ['hello there']);
  assert.deepEqual(lex.words('hello\\" there', e), ['hello"', 'there']);
});

test('the backtick escape token', () => {
  const b = new ShellLexer('`');
  assert.equal(b.word('a`$PWD', env), 'a$PWD');
  assert.equal(b.word('C:\\dir', env), 'C:\\dir');
});

test('reports which variables were used', () => {
  assert.deepEqual([...lex.expand('$PWD ${SHELL:-x} $NOPE', env).matched].sort(), ['PWD', 'SHELL']);
});

test('hostile input: deep nesting and long strings stay bounded', () => {
  const deep = '${A:-'.repeat(200) + 'x' + '}'.repeat(200);
  assert.equal(lex.word(deep, env), 'x');
  assert.equal(lex.word('$.'.repeat(10000), env), '$.'.repeat(10000));
  assert.throws(() => lex.word('${A:-'.repeat(50), env));
});
