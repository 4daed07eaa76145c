import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonLogWriter, readLogLines } from './logs.js';

test('json-file lines split on newlines, rotate by size, read back with --tail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'logs-'));
  try {
    const path = join(dir, 'x-json.log');
    const w = new JsonLogWriter(path, { 'max-size': '1k', 'max-file': '2' });
    w.write('stdout', 'a\nb');
    w.write('stdout', 'c\n');
    w.write('stderr', 'e\n');
    const first = JSON.parse(readFileSync(path, 'utf8').split('\n')[0]!);
    assert.deepEqual([first.log, first.stream], ['a\n', 'stdout']);
    assert.match(first.time, /^\d{4}-\d\d-\d\dT/);
    for (let i = 0; i < 50; i++) w.write('stdout', `line ${i}\n`);
    w.close();
    assert.ok(existsSync(`${path}.1`));
    assert.ok(readFileSync(path).length <= 1024);
    assert.deepEqual(readLogLines(path, { tail: 2 }).map((l) => l.log), ['line 48\n', 'line 49\n']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
