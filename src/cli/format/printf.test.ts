// Expected strings were checked against docker 20.10 (`docker image inspect --format '{{printf ...}}'`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sprint, sprintf, sprintln } from './printf.js';

test('printf verbs, widths and flags', () => {
  assert.equal(
    sprintf('%v %.2f %e %g %x %X %o %c %U %8.3f|%-6d|%06d|%+d', [1.5, 3.14159, 1234.5678, 0.00001234, 'hi', 255, 8, 65, 65, 3.14159, 42, 42, 42]),
    '1.5 3.14 1.234568e+03 1.234e-05 6869 FF 10 A U+0041    3.142|42    |000042|+42',
  );
  assert.equal(
    sprintf('%5s|%-5s|%.2s|%q|%x|% x|%#x|%t|%v', ['ab', 'ab', 'abc', 'a"b\n', 'hi', 'hi', 255, true, null]),
    '   ab|ab   |ab|"a\\"b\\n"|6869|68 69|0xff|true|<nil>',
  );
  assert.equal(sprintf('%5.2f|%x|%q|%v', [3.14159, 255, 'hi', true]), ' 3.14|ff|"hi"|true');
});

test('printf on collections applies the verb to each element', () => {
  const cmd = ['sh', '-c', 'echo'];
  assert.equal(sprintf('%v|%s|%d|%q', [cmd, cmd, 1982256, cmd]), '[sh -c echo]|[sh -c echo]|1982256|["sh" "-c" "echo"]');
  assert.equal(sprintf('%s %q', [{ a: 'b' }, { a: 'b' }]), 'map[a:b] map["a":"b"]');
  assert.equal(sprintf('%5d|%x', [cmd, cmd]), '[%!d(string=   sh) %!d(string=   -c) %!d(string= echo)]|[7368 2d63 6563686f]');
});

test('bad verbs, missing and extra arguments', () => {
  assert.equal(sprintf('%d %s', ['x', 3]), '%!d(string=x) %!s(int=3)');
  assert.equal(sprintf('%d', []), '%!d(MISSING)');
  assert.equal(sprintf('%d', [1, 2]), '1%!(EXTRA int=2)');
});

test('print and println spacing', () => {
  assert.equal(sprint([1, 2, 'a', 'b', 3]), '1 2ab3');
  assert.equal(sprintln([1, 'a']), '1 a\n');
  assert.equal(sprint([null]), '<nil>');
});
