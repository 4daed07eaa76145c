/**
 * `export` tars as Docker's: no init-layer marker (`/.done`) anywhere a user can see the root
 * (export, diff, commit), owner names from the container's own /etc/passwd and /etc/group (not
 * the host's), the init files 0755 as Docker writes them, no dev/mqueue. The listing is compared
 * entry by entry with the reference dockerd's export of a container made from the same tar.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, tempDir, wharf, wharfOk, WHARF_BIN } from '../helpers/wharf.js';
import { makeBusyboxRootfsTar } from '../helpers/busybox.js';
import { referenceDocker } from '../helpers/reference-docker.js';

/** `tar -tv` lines without the date columns: mode, owner, size and name. */
function listing(tar: Buffer): string[] {
  return execFileSync('tar', ['-tvf', '-'], { input: tar, encoding: 'utf8', maxBuffer: 1 << 26 })
    .trim()
    .split('\n')
    .map((l) => l.replace(/^(\S+)\s+(\S+)\s+(\d+)\s+\S+\s+\S+\s+(.*)$/, '$1 $2 $3 $4'));
}

describe('export, diff and commit show the container root as Docker does', () => {
  const dir = tempDir('wharf-export-');
  const root = join(dir, 'root');
  let tar = '';
  let container = '';
  before(async () => {
    tar = await makeBusyboxRootfsTar(dir);
    // An image user (uid 4321) that the host does not have, and an owner no file names.
    const extra = join(dir, 'extra');
    mkdirSync(join(extra, 'home/alice'), { recursive: true });
    writeFileSync(join(extra, 'home/alice/f'), 'x');
    writeFileSync(join(extra, 'home/x'), 'y');
    chownSync(join(extra, 'home/alice'), 4321, 4321);
    chownSync(join(extra, 'home/alice/f'), 4321, 4321);
    chownSync(join(extra, 'home/x'), 4242, 4242);
    writeFileSync(join(extra, 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nalice:x:4321:4321::/home/alice:/bin/sh\n');
    writeFileSync(join(extra, 'group'), 'root:x:0:\nalices:x:4321:\n');
    execFileSync('sh', ['-c', `cp "$1/passwd" "$1/group" "$2/rootfs/etc/" && cp -a "$1/home" "$2/rootfs/" && tar --sort=name -C "$2/rootfs" -cf "$3" .`, 'sh', extra, dir, tar]);
    wharfOk(root, ['import', tar, 'exp:1']);
    container = wharfOk(root, ['create', '--network', 'none', 'exp:1', 'true']).trim();
  });
  after(() => removeDir(dir));

  test('no /.done in export, diff or a committed image; names, modes and mount points as Docker writes them', () => {
    const exported = execFileSync(WHARF_BIN, ['--root', root, 'export', container], { maxBuffer: 1 << 26 });
    const lines = listing(exported);
    assert.ok(!lines.some((l) => /\.done$/.test(l)), lines.join('\n'));
    assert.ok(!lines.some((l) => l.endsWith(' dev/mqueue/')));
    for (const f of ['.dockerenv', 'dev/console', 'etc/hostname', 'etc/hosts', 'etc/resolv.conf']) assert.ok(lines.includes(`-rwxr-xr-x root/root 0 ${f}`), f);
    assert.ok(lines.includes('drwxr-xr-x alice/alices 0 home/alice/'));
    assert.ok(lines.includes('-rw-r--r-- alice/alices 1 home/alice/f'));
    assert.ok(lines.includes('-rw-r--r-- 4242/4242 1 home/x'));
    assert.equal(wharf(root, ['start', '-a', container]).code, 0);
    assert.equal(wharfOk(root, ['diff', container]), '');
    wharfOk(root, ['commit', container, 'exp:committed']);
    const run = wharfOk(root, ['run', '--rm', '--network', 'none', 'exp:committed', 'ls', '-a', '/']);
    assert.ok(!run.split('\n').includes('.done'), run);
    const history = JSON.parse(wharfOk(root, ['image', 'inspect', 'exp:committed']))[0].RootFS.Layers as string[];
    assert.equal(history.length, 2);
  });

  test('the listing is the reference dockerd export, entry for entry', async (t) => {
    const docker = referenceDocker();
    if (typeof docker === 'string') return t.skip(docker);
    const image = `wharf-test-export:${process.pid}`;
    assert.equal(docker(['import', tar, image]).code, 0);
    const cid = docker(['create', image, 'true']).stdout.trim();
    try {
      const theirs = listing(execFileSync('docker', ['export', cid], { env: { ...process.env, DOCKER_HOST: process.env.WHARF_TEST_DOCKER_HOST }, maxBuffer: 1 << 26 }));
      const ours = listing(execFileSync(WHARF_BIN, ['--root', root, 'export', container], { maxBuffer: 1 << 26 }));
      assert.deepEqual(ours, theirs);
    } finally {
      docker(['rm', '-f', cid]);
      docker(['rmi', '-f', image]);
    }
  });
});
