import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from './dockerfile/instructions.js';
import { planStages } from './planner.js';

const plan = (text: string, target?: string) => {
  const df = parseDockerfile(text);
  const indexOf = (n: string) => df.stages.find((s) => s.name === n.toLowerCase())?.index ?? (/^\d+$/.test(n) ? Number(n) : undefined);
  const p = planStages(df, target, indexOf);
  return { build: p.build.map((s) => s.index), skipped: p.skipped.map((s) => s.index) };
};

test('the last stage and what it reaches through FROM, COPY --from and RUN --mount from=', () => {
  const text = 'FROM a AS base\nFROM b AS unused\nFROM c AS tools\nFROM base AS mid\nRUN --mount=type=bind,from=tools,target=/t x\nFROM e AS unused2\nFROM d\nCOPY --from=mid /x /x\n';
  assert.deepEqual(plan(text), { build: [0, 2, 3, 5], skipped: [1, 4] });
});

test('--target stops at its stage; later stages are neither built nor reported', () => {
  const text = 'FROM a AS one\nFROM b AS two\nCOPY --from=0 /x /x\nFROM c\n';
  assert.deepEqual(plan(text, 'two'), { build: [0, 1], skipped: [] });
  assert.deepEqual(plan(text, 'one'), { build: [0], skipped: [] });
});

test('names are case-insensitive, numbers are indexes, images are not stages', () => {
  assert.deepEqual(plan('FROM a AS Build\nFROM b\nCOPY --from=BUILD /x /x\nCOPY --from=busybox /y /y\n'), { build: [0, 1], skipped: [] });
  assert.deepEqual(plan('FROM a\nFROM b\nCOPY --from=0 /x /x\n'), { build: [0, 1], skipped: [] });
  assert.deepEqual(plan('FROM a\nFROM b\n'), { build: [1], skipped: [0] });
});

test('a stage cannot reach a later one (no cycles)', () => {
  assert.deepEqual(plan('FROM a AS x\nCOPY --from=y /a /a\nFROM b AS y\nCOPY --from=x /b /b\n'), { build: [0, 1], skipped: [] });
});
