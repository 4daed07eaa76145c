/**
 * Details a Docker user sees, each compared with the reference dockerd: `RepoTags` sorted as
 * dockerd sorts references; `images -a -f dangling=true` lists only untagged heads (never a parent
 * that has children); `ps` shows the image ID once the name the container was made from is gone
 * (`rmi -f`); `id` in a container lists the primary group among the supplementary ones as runc
 * does for Docker; imported images are stamped with nanoseconds.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { removeDir, tempDir, wharf, wharfOk } from '../helpers/wharf.js';
import { makeBusyboxRootfsTar } from '../helpers/busybox.js';
import { referenceDocker, type DockerRunner } from '../helpers/reference-docker.js';

type Cli = (args: string[]) => string;

describe('image and container details as dockerd shows them', () => {
  const dir = tempDir('wharf-details-');
  const root = join(dir, 'root');
  let tar = '';
  const w: Cli = (args) => wharfOk(root, args);
  before(async () => {
    tar = await makeBusyboxRootfsTar(dir);
    // A user in a supplementary group, for `id`.
    execFileSync('sh', ['-c', `cd "$1/rootfs" && printf 'root:x:0:0:root:/root:/bin/sh\\nalice:x:1000:1000::/home/alice:/bin/sh\\n' > etc/passwd && printf 'root:x:0:\\nalice:x:1000:\\nwheel:x:10:alice\\n' > etc/group && tar -cf "$2" .`, 'sh', dir, tar]);
  });
  after(() => removeDir(dir));

  /** The same scenario on either engine; returns what it printed. */
  function scenario(cli: Cli, prefix: string, extra: string[]): Record<string, string> {
    const img = `${prefix}-base:latest`;
    cli(['import', tar, img]);
    for (const t of ['zz/b:1', 'aa/c:2', 'mm:0', 'aa/c:10']) cli(['tag', img, `${prefix}-${t}`]);
    const out: Record<string, string> = {};
    out.repoTags = cli(['image', 'inspect', '-f', '{{json .RepoTags}}', img]);
    const ids: string[] = [];
    for (const u of ['alice', 'alice:wheel', 'alice:55', '4242', '4242:55', 'root']) ids.push(cli(['run', '--rm', ...extra, '-u', u, img, 'id']).trim());
    out.ids = ids.join('\n');
    // ps after the name is removed: the image ID, truncated unless --no-trunc.
    cli(['tag', img, `${prefix}-gone:1`]);
    const c = cli(['create', ...extra, `${prefix}-gone:1`, 'true']).trim();
    const id = cli(['image', 'inspect', '-f', '{{.Id}}', img]).trim();
    const psBefore = cli(['ps', '-a', '--filter', `id=${c}`, '--format', '{{.Image}}']).trim();
    cli(['rmi', '-f', `${prefix}-gone:1`]);
    out.ps = [psBefore.replace(prefix, 'P'), cli(['ps', '-a', '--filter', `id=${c}`, '--format', '{{.Image}}']).trim() === id.slice(7, 19) ? 'short id' : 'other',
      cli(['ps', '-a', '--no-trunc', '--filter', `id=${c}`, '--format', '{{.Image}}']).trim() === id ? 'full id' : 'other'].join(' ');
    // A parent with a child, untagged: not dangling, with or without -a.
    const child = cli(['commit', c, `${prefix}-child:1`]).trim();
    cli(['rm', c]);
    const parentImg = `${prefix}-parent:1`;
    cli(['tag', img, parentImg]);
    for (const t of [img, `${prefix}-zz/b:1`, `${prefix}-aa/c:2`, `${prefix}-mm:0`, `${prefix}-aa/c:10`, parentImg]) cli(['rmi', t]);
    const dangling = cli(['images', '-a', '-q', '--no-trunc', '-f', 'dangling=true']).split('\n');
    out.dangling = dangling.includes(id) ? 'parent listed' : 'parent not listed';
    cli(['rmi', `${prefix}-child:1`]);
    out.childGone = cli(['images', '-a', '-q', '--no-trunc']).includes(child) ? 'child kept' : 'child gone';
    return out;
  }

  test('RepoTags order, dangling heads, ps after rmi -f, supplementary groups', () => {
    const ours = scenario(w, 'det', ['--network', 'none']);
    assert.equal(ours.repoTags, '["det-aa/c:10","det-aa/c:2","det-zz/b:1","det-base:latest","det-mm:0"]\n'); // docker.io/det-… < docker.io/library/…
    assert.equal(
      ours.ids,
      [
        'uid=1000(alice) gid=1000(alice) groups=10(wheel),1000(alice)',
        'uid=1000(alice) gid=10(wheel) groups=10(wheel)',
        'uid=1000(alice) gid=55 groups=55',
        'uid=4242 gid=0(root) groups=0(root)',
        'uid=4242 gid=55 groups=55',
        'uid=0(root) gid=0(root) groups=0(root)',
      ].join('\n'),
    );
    assert.equal(ours.ps, 'P-gone:1 short id full id');
    assert.equal(ours.dangling, 'parent not listed');
  });

  test('import stamps Created with nanoseconds, as dockerd does', () => {
    const created = wharfOk(root, ['image', 'inspect', '-f', '{{.Created}}', wharfOk(root, ['import', tar]).trim()]).trim();
    assert.match(created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{4,9}Z$/);
    assert.ok(Math.abs(Date.parse(created) - Date.now()) < 60_000);
    assert.equal(wharf(root, ['image', 'inspect', '-f', '{{json .Config}}', 'det-child:1']).code, 1);
  });

  test('the same scenario on the reference dockerd prints the same', (t) => {
    const docker = referenceDocker();
    if (typeof docker === 'string') return t.skip(docker);
    const ok = (run: DockerRunner): Cli => (args) => {
      const r = run(args);
      assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const prefix = `wharf-det${process.pid}`;
    const theirs = scenario(ok(docker), prefix, []);
    const ours = scenario(w, prefix, ['--network', 'none']);
    assert.deepEqual(ours, theirs);
    writeFileSync(join(dir, 'done'), '');
  });
});
