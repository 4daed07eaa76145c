/**
 * The confined worker under a race: while a layer is applied, another process keeps swapping
 * a directory of the target for a symlink to a host canary (and back). Kernel-side resolution
 * in the chroot means no write ever lands in the canary, however the swaps fall.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { applyLayer } from './apply.js';
import { isRoot, tarOf, tmpDir } from './testing.js';
import type { TarHeaderInput } from './tar-header.js';

test('a dir swapped for a symlink to the host while a layer is applied: nothing escapes', async (t) => {
  if (!isRoot) return t.skip('chroot needs root');
  const dir = tmpDir(t);
  const canary = join(dir, 'canary');
  mkdirSync(canary);
  writeFileSync(join(canary, 'keep'), 'x');
  const root = join(dir, 'root');
  mkdirSync(join(root, 'sw'), { recursive: true });
  const entries: [TarHeaderInput, Buffer?][] = [];
  for (let i = 0; i < 300; i++) entries.push([{ name: `sw/f${i}`, type: 'file', mode: 0o6777 }, Buffer.from('pwned')], [{ name: `sw/p${i}`, type: 'fifo' }]);
  const tar = await tarOf(entries);
  // swaps sw between the real dir and a symlink to the canary as fast as renames go
  const swap = `const f=require('fs');process.chdir(${JSON.stringify(root)});f.symlinkSync(${JSON.stringify(canary)},'L');
for(;;){try{f.renameSync('sw','D');f.renameSync('L','sw');f.renameSync('sw','L');f.renameSync('D','sw')}catch{}}`;
  const swapper = spawn(process.execPath, ['-e', swap], { stdio: 'ignore' });
  try {
    const deadline = Date.now() + 4000;
    for (let round = 0; round < 200 && Date.now() < deadline; round++) {
      await applyLayer(Readable.from([tar]), root, { whiteouts: 'delete' }).catch(() => undefined);
      assert.deepEqual(readdirSync(canary), ['keep'], `round ${round}: a write landed in the canary`);
    }
  } finally {
    swapper.kill('SIGKILL');
  }
});
