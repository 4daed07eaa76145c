import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processEnv, run } from './process.js';

test('run: exit codes, output, input, and 127 for a missing program', async () => {
  assert.deepEqual(await run('sh', ['-c', 'echo out; echo err >&2; exit 3']), { code: 3, stdout: 'out\n', stderr: 'err\n' });
  assert.equal((await run('cat', [], { input: 'piped' })).stdout, 'piped');
  const missing = await run('/nonexistent/tool', []);
  assert.equal(missing.code, 127);
  assert.match(missing.stderr, /ENOENT/);
});

test('run: timeout and an aborted signal end the child', async () => {
  const t0 = Date.now();
  assert.notEqual((await run('sleep', ['5'], { timeout: 100 })).code, 0);
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 100);
  assert.notEqual((await run('sleep', ['5'], { signal: abort.signal })).code, 0);
  assert.ok(Date.now() - t0 < 4000);
});

test('processEnv: inherit, PATH only, PATH and WHARF_*', () => {
  const from = { PATH: '/p', HOME: '/h', WHARF_ROOT: '/r' };
  assert.equal(processEnv('inherit', from), from);
  assert.deepEqual(processEnv('path', from), { PATH: '/p' });
  assert.deepEqual(processEnv('wharf', from), { PATH: '/p', WHARF_ROOT: '/r' });
  assert.equal((processEnv('path', {}) as { PATH: string }).PATH.includes('/usr/bin'), true);
});
