import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatternMatcher, readIgnoreFile, cleanPath } from './dockerignore.js';

const m = (lines: string, file: string) => new PatternMatcher(readIgnoreFile(lines)).matches(file);

test('reading the file: comments, trimming, leading slash and ./, cleaning', () => {
  assert.deepEqual(readIgnoreFile('# c\n  a  \n\n/b/\n./c/../d\n! e\n #notcomment\n'), ['a', 'b', 'd', '!e', '#notcomment']);
  assert.equal(cleanPath('a//b/./c/..'), 'a/b');
});

test('patternmatcher semantics', () => {
  assert.equal(m('*.md', 'README.md'), true);
  assert.equal(m('*.md', 'docs/README.md'), false);
  assert.equal(m('**/*.md', 'docs/a/README.md'), true);
  assert.equal(m('**/*.md', 'README.md'), true);
  assert.equal(m('node_modules', 'node_modules/x/y.js'), true);
  assert.equal(m('docs/**', 'docs/a/b'), true);
  assert.equal(m('docs/**', 'docsx'), false);
  assert.equal(m('a?c', 'abc'), true);
  assert.equal(m('a?c', 'a/c'), false);
  assert.equal(m('[a-c].txt', 'b.txt'), true);
  assert.equal(m('*\n!keep.md', 'keep.md'), false);
  assert.equal(m('*.md\n!keep.md', 'other.md'), true);
  assert.equal(m('dir\n!dir/keep', 'dir/keep'), false);
  assert.equal(m('dir\n!dir/keep', 'dir/other'), true);
  assert.equal(m('a.b', 'axb'), false);
  assert.equal(m('a+(b)', 'a+(b)'), true);
  assert.equal(m('\\*x', '*x'), true);
  assert.equal(m('\\*x', 'ax'), false);
  // case-sensitive, unlike @balena/dockerignore's default
  assert.equal(m('README.md', 'readme.md'), false);
});

test('hostile patterns: lone !, bad classes, very long', () => {
  assert.throws(() => new PatternMatcher(['!']), /illegal exclusion pattern/);
  assert.throws(() => new PatternMatcher(['[z-a]']), /syntax error in pattern/);
  const long = 'a*'.repeat(2000);
  assert.equal(new PatternMatcher([long]).matches('b'), false);
  assert.equal(m('../../etc/passwd', 'etc/passwd'), false);
});
