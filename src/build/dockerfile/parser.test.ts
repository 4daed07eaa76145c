import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, parseWords, extractFlags } from './parser.js';
import { parseDockerfile, parseDuration } from './instructions.js';

const errOf = (text: string) => {
  try {
    parseDockerfile(text);
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
};

test('continuations, comments inside them, empty continuation lines, case', () => {
  const r = parse('from a\nrun echo a \\\n# a comment\n  b \\\n\n  c\nENV x y z\n');
  assert.equal(r.nodes.length, 3);
  assert.equal(r.nodes[0].cmd, 'from');
  assert.deepEqual(r.nodes[1].args, ['echo a   b   c']);
  assert.equal(r.nodes[1].startLine, 2);
  assert.equal(r.warnings.length, 1);
  assert.deepEqual(r.nodes[2].pairs, [{ key: 'x', value: 'y z', sep: '' }]);
});

test('escape directive, syntax directive accepted, directives only at the top', () => {
  const r = parse('# syntax=docker/dockerfile:1\n# escape=`\nFROM a\nRUN echo `\n  b\\\n');
  assert.equal(r.escape, '`');
  assert.equal(r.syntax, 'docker/dockerfile:1');
  assert.deepEqual(r.nodes[1].args, ['echo   b\\']);
  const late = parse('FROM a\n# escape=`\nRUN a \\\n b\n');
  assert.equal(late.escape, '\\');
  assert.deepEqual(late.nodes[1].args, ['a  b']);
  assert.match(errOf('# escape=x\nFROM a\n'), /invalid escape token 'x'/);
  assert.match(errOf('# escape=`\n# escape=`\nFROM a\n'), /only one escape parser directive/);
});

test('JSON form and its fallback to the shell form', () => {
  const r = parse('RUN ["a", "b c"]\nRUN [\'a\']\nRUN [ "a", \nCMD ["x"] trailing\nCOPY ["a b", "/c"]\nVOLUME /a /b\n');
  assert.deepEqual(r.nodes[0].args, ['a', 'b c']);
  assert.equal(r.nodes[0].json, true);
  assert.deepEqual(r.nodes[1].args, ["['a']"]);
  assert.equal(r.nodes[1].json, false);
  assert.deepEqual(r.nodes[2].args, ['[ "a",']);
  assert.equal(r.nodes[3].json, false);
  assert.deepEqual(r.nodes[4].args, ['a b', '/c']);
  assert.deepEqual(r.nodes[5].args, ['/a', '/b']);
  assert.equal(errOf('FROM a\nRUN ["a", 1]\n'), 'failed to parse Dockerfile: when using JSON array syntax, arrays must be comprised of strings only');
});

test('flags and words', () => {
  assert.deepEqual(extractFlags('--from=a --chown="x y" src dst', '\\'), ['src dst', ['--from=a', '--chown=x y']]);
  assert.deepEqual(extractFlags('-- --x', '\\'), [' --x', []]);
  assert.deepEqual(parseWords('a="b c" d=e\\ f', '\\'), ['a="b c"', 'd=e\\ f']);
});

test('heredocs for RUN and COPY', () => {
  const r = parse('FROM a\nRUN <<EOF\necho hi\necho there\nEOF\nCOPY <<-"END" /f\n\tline $x\n\tEND\nRUN echo done\n');
  assert.equal(r.nodes.length, 4);
  assert.deepEqual(r.nodes[1].heredocs, [{ name: 'EOF', content: 'echo hi\necho there\n', expand: true, chomp: false }]);
  assert.deepEqual(r.nodes[2].heredocs, [{ name: 'END', content: 'line $x\n', expand: false, chomp: true }]);
  assert.equal(errOf('FROM a\nRUN <<EOF\necho\n'), 'dockerfile parse error line 2: unterminated heredoc');
});

test("Docker's error texts", () => {
  assert.equal(errOf('FROM a\nRUN true\nform x\n'), 'dockerfile parse error line 3: unknown instruction: FORM');
  assert.equal(errOf('# only a comment\n'), 'failed to parse Dockerfile: file with no instructions');
  assert.equal(errOf(''), 'the Dockerfile (Dockerfile) cannot be empty');
  assert.equal(errOf('FROM a\nENV x\n'), 'failed to parse Dockerfile: ENV must have two arguments');
  assert.equal(errOf('FROM a\nENV x=1 y\n'), 'failed to parse Dockerfile: Syntax error - can\'t find = in "y". Must be of the form: name=value');
  assert.equal(errOf('FROM a\nLABEL\n'), 'dockerfile parse error line 2: LABEL requires at least one argument');
  assert.equal(errOf('FROM a\nEXPOSE\n'), 'dockerfile parse error line 2: EXPOSE requires at least one argument');
  assert.equal(errOf('FROM a AS b c\n'), 'dockerfile parse error line 1: FROM requires either one or three arguments');
  assert.equal(errOf('FROM a\nHEALTHCHECK --interval=1 CMD x\n'), 'dockerfile parse error line 2: time: missing unit in duration "1"');
  assert.equal(errOf('FROM a\nCOPY a\n'), 'dockerfile parse error line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined');
  assert.equal(errOf('FROM a\nWORKDIR\n'), 'dockerfile parse error line 2: WORKDIR requires exactly one argument');
  assert.equal(errOf('FROM a\nADD --foo=1 a /b\n'), 'dockerfile parse error line 2: Unknown flag: foo');
  assert.equal(errOf('RUN true\n'), 'no build stage in current context');
  assert.equal(errOf('FROM a\nONBUILD FROM x\n'), "dockerfile parse error line 2: FROM isn't allowed as an ONBUILD trigger");
  assert.equal(errOf('FROM a\nSHELL sh -c\n'), 'dockerfile parse error line 2: SHELL requires the arguments to be in JSON form');
  assert.equal(errOf('FROM a\nARG my_arg2 = value2\n'), 'dockerfile parse error line 2: ARG names can not be blank');
  assert.equal(errOf('FROM a\nRUN <<EOF\necho hi\nEOF\n'), 'no error');
});

test('stages, meta args and typed instructions', () => {
  const df = parseDockerfile('ARG V=1\nFROM a:${V} AS build\nRUN x\nFROM scratch\nCOPY --from=build /a /b\nHEALTHCHECK --interval=1m --timeout=3s --retries=3 CMD curl -f http://localhost || exit 1\nONBUILD RUN echo hi\n');
  assert.equal(df.metaArgs.length, 1);
  assert.equal(df.stages.length, 2);
  assert.equal(df.stages[0].name, 'build');
  const [copy, hc, ob] = df.stages[1].steps;
  assert.equal(copy.kind, 'copy');
  assert.deepEqual(copy.flags.from, ['build']);
  assert.deepEqual(hc.kind === 'healthcheck' && [hc.test, hc.interval, hc.timeout, hc.retries], [['CMD-SHELL', 'curl -f http://localhost || exit 1'], 60e9, 3e9, 3]);
  assert.equal(ob.kind === 'onbuild' && ob.expression, 'RUN echo hi');
});

test('durations as Go parses them', () => {
  assert.equal(parseDuration('1m30s'), 90e9);
  assert.equal(parseDuration('1.5s'), 1.5e9);
  assert.throws(() => parseDuration('1'), /missing unit/);
  assert.throws(() => parseDuration('x'), /invalid duration/);
});

test('hostile input: huge, binary, unbalanced', () => {
  assert.equal(parseDockerfile('FROM a\nRUN ' + 'x'.repeat(200000) + '\n').stages[0].steps.length, 1);
  assert.match(errOf('FROM a\n\u0000\u0001\n'), /unknown instruction/);
  assert.equal(parseDockerfile('FROM a\nRUN echo \\').stages[0].steps.length, 1);
  assert.equal(parseDockerfile('\ufeffFROM a\r\nRUN x\r\n').stages[0].steps.length, 1);
  assert.equal(errOf('FROM a\nRUN [' + '['.repeat(5000) + '\n'), 'no error');
});
