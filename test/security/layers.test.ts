/**
 * Hostile layers (issue 11): directories replaced by symlinks to host paths and then written
 * through (chmod, chown, mtime, xattr, file, FIFO, device, whiteout), within one layer and
 * across layers, relative and absolute links, hardlinks through links, `..` whiteouts. Each
 * goes in by `import` (one layer), `load` of a docker-archive and of an OCI layout, `pull`
 * from a registry on 127.0.0.1, then `create` unpacks it, on overlay2 and vfs; one image also runs. A canary tree outside the
 * data root must be unchanged after every case. These escaped before the file work moved
 * into a chrooted worker.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, tempDir, wharf } from '../helpers/wharf.js';
import { FakeRegistry } from '../../src/registry/client/testing/fake-registry.js';
import { plantImage, wharfRun } from '../registry/support.js';
import { dockerArchive, makeCanary, ociLayout, snapshot, tarOf, type Entries, type HostileImage } from './hostile.js';

const dir = tempDir('wharf-sec-layers-');
const C = makeCanary(join(dir, 'canary'));
const F = Buffer.from('pwned\n');

/** Each case: its layers (bottom first). */
const cases: Record<string, Entries[]> = {
  'dir replaced by symlink, then a 06777 file through it': [[[{ name: 'a/', type: 'dir' }], [{ name: 'a', type: 'symlink', linkname: C }], [{ name: 'a/f', type: 'file', mode: 0o6777 }, F]]],
  'dir times and mode set at the end through a replaced parent': [
    [[{ name: 'a/', type: 'dir' }], [{ name: 'a/d/', type: 'dir', mode: 0o777, mtime: 5 }], [{ name: 'a', type: 'symlink', linkname: C }]],
  ],
  'existing dir entry through a symlinked parent (chmod, chown, xattr, mtime)': [
    [
      [{ name: 'a', type: 'symlink', linkname: C }],
      [{ name: 'a/d/', type: 'dir', mode: 0o700, uid: 1234, gid: 1234, mtime: 7, xattrs: new Map([['user.pwn', Buffer.from('1')]]) }],
      [{ name: 'a/f', type: 'symlink', linkname: '/etc/shadow', mtime: 9 }],
    ],
  ],
  'fifo, device and whiteout node queued, then the parent swapped': [
    [[{ name: 'a/', type: 'dir' }], [{ name: 'a/p', type: 'fifo' }], [{ name: 'a/n', type: 'char', devmajor: 1, devminor: 3 }], [{ name: 'a/.wh.x', type: 'file' }], [{ name: 'a', type: 'symlink', linkname: C }]],
  ],
  'fifo and device through a symlinked parent': [[[{ name: 'l', type: 'symlink', linkname: `${C}/d` }], [{ name: 'l/p', type: 'fifo' }], [{ name: 'l/n', type: 'block', devmajor: 7, devminor: 0 }]]],
  'symlink dir then mkdir through it': [[[{ name: 's', type: 'symlink', linkname: C }], [{ name: 's/new/', type: 'dir' }], [{ name: 's/new/f', type: 'file' }, F]]],
  'relative symlink climbing out': [[[{ name: 'r', type: 'symlink', linkname: `../../../../../../../../..${C}` }], [{ name: 'r/f', type: 'file' }, F], [{ name: 'r/d/', type: 'dir', mode: 0o777 }]]],
  'whiteouts and opaque marker through a symlinked parent': [[[{ name: 'l', type: 'symlink', linkname: C }], [{ name: 'l/.wh.f', type: 'file' }], [{ name: 'l/d/.wh..wh..opq', type: 'file' }]]],
  'hardlink through a symlink to a host file': [[[{ name: 'l', type: 'symlink', linkname: C }], [{ name: 'h', type: 'hardlink', linkname: 'l/f' }]]],
  'absolute and dot-dot names': [[[{ name: `${C}/f`, type: 'file', mode: 0o777 }, F], [{ name: `../../../../..${C}/d/g`, type: 'file' }, F]]],
  'across layers: dir, then symlink, then writes through it': [
    [[{ name: 'a/', type: 'dir' }], [{ name: 'a/d/', type: 'dir' }]],
    [[{ name: '.wh.a', type: 'file' }], [{ name: 'a', type: 'symlink', linkname: C }]],
    [[{ name: 'a/f', type: 'file', mode: 0o6777 }, F], [{ name: 'a/d/', type: 'dir', mode: 0o777, mtime: 3 }], [{ name: 'a/p', type: 'fifo' }], [{ name: 'a/.wh.f', type: 'file' }]],
  ],
};

const images = async (prefix: string): Promise<HostileImage[]> =>
  Promise.all(Object.values(cases).map(async (layers, i) => ({ tag: `${prefix}${i}:x`, layers: await Promise.all(layers.map(tarOf)) })));

const before0 = snapshot(C);
after(() => removeDir(dir));

for (const driver of ['overlay2', 'vfs']) {
  describe(`hostile layers on ${driver}`, () => {
    const root = join(dir, `root-${driver}`);
    const w = (args: string[], input?: Buffer) => wharf(root, ['--storage-driver', driver, ...args], { input });
    const check = (what: string, r: { code: number; stderr: string }) => {
      assert.equal(snapshot(C), before0, `${what}: the canary outside the root changed`);
      // refused or not, never a stack or an internal path
      if (r.code !== 0) assert.match(r.stderr, /^(wharf: )?Error response from daemon: [^\n]+\n/, `${what}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\/layers\/|\.tmp-|\.(ts|cjs):\d/, what);
    };

    for (const [via, make] of [
      ['docker-archive', dockerArchive],
      ['OCI layout', ociLayout],
    ] as const) {
      test(`load (${via}) then create`, async () => {
        const prefix = `${via[0]!.toLowerCase()}${driver[0]}`;
        const imgs = await images(prefix);
        const archive = join(dir, `${prefix}.tar`);
        writeFileSync(archive, await make(imgs));
        const r = w(['load', '-i', archive]);
        assert.equal(r.code, 0, r.stderr);
        const names = Object.keys(cases);
        imgs.forEach((img, i) => check(`${names[i]} (create)`, w(['create', img.tag])));
      });
    }

    test('pull then create', async () => {
      const reg = await FakeRegistry.start();
      try {
        const imgs = await images(`p${driver[0]}`);
        const names = Object.keys(cases);
        for (const [i, img] of imgs.entries()) {
          const [repo, tag] = img.tag.split(':') as [string, string];
          plantImage(reg, repo, tag, img.layers, { oci: i % 2 === 1 });
          const ref = `${reg.host}/${img.tag}`;
          // async: the registry answers from this very process
          const r = await wharfRun(root, ['--storage-driver', driver, 'pull', '-q', ref]);
          assert.equal(r.code, 0, r.stderr);
          check(`${names[i]} (pull, create)`, w(['create', ref]));
        }
      } finally {
        await reg.close();
      }
    });

    test('import (single-layer cases) then create, and run', async () => {
      const names = Object.keys(cases);
      for (const [i, layers] of Object.values(cases).entries()) {
        if (layers.length !== 1) continue;
        const file = join(dir, `imp-${driver}-${i}.tar`);
        writeFileSync(file, await tarOf(layers[0]!));
        const tag = `imp${i}:x`;
        check(`${names[i]} (import)`, w(['import', file, tag]));
        check(`${names[i]} (create)`, w(['create', tag, '/bin/sh']));
      }
      // one runs: the busybox is the host's, copied in; the hostile layer on top
      const bb = join(dir, `bb-${driver}`);
      mkdirSync(join(bb, 'bin'), { recursive: true });
      writeFileSync(join(bb, 'bin', 'busybox'), Buffer.alloc(0));
      const layer = await tarOf([
        [{ name: 'bin/', type: 'dir' }],
        [{ name: 'bin/sh', type: 'file', mode: 0o755 }, (await import('node:fs')).readFileSync('/bin/busybox')],
        ...cases['dir replaced by symlink, then a 06777 file through it']![0]!,
      ]);
      writeFileSync(join(bb, 'l.tar'), layer);
      assert.equal(w(['import', join(bb, 'l.tar'), 'runme:x']).code, 0);
      const r = w(['run', '--rm', '--network', 'none', 'runme:x', '/bin/sh', '-c', 'cat /a/f']);
      check('run', r);
    });

    test('a `..` whiteout is refused with one clean line', async () => {
      const file = join(dir, `dotdot-${driver}.tar`);
      writeFileSync(file, await tarOf([[{ name: 'a/', type: 'dir' }], [{ name: 'a/.wh...', type: 'file' }]]));
      assert.equal(w(['import', file, 'dotdot:x']).code, 0);
      const r = w(['create', 'dotdot:x', 'x']);
      assert.equal(r.code, 125);
      assert.match(r.stderr, /^wharf: Error response from daemon: invalid whiteout entry in layer: a\/\.wh\.\.\.\n/);
      check('dotdot', r);
    });
  });
}
