/**
 * run/create flags a Docker user types: `--cidfile` as docker (the ID written, an existing file
 * refused and kept, removed again when the create fails), `--label-file`, `--platform` of the host,
 * and every flag wharf does not implement failing with one line that names it (never ignored).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, tempDir, wharf, wharfOk } from '../helpers/wharf.js';
import { importBusybox } from '../helpers/images.js';

describe('run/create: --cidfile, --label-file, unsupported flags', () => {
  const root = tempDir();
  const dir = tempDir('wharf-flags-');
  before(async () => void (await importBusybox(root, 'flags:1')));
  after(() => {
    removeDir(root);
    removeDir(dir);
  });

  test('--cidfile: the ID, 0644; an existing file refused and untouched; nothing left when create fails', () => {
    const cid = join(dir, 'cid');
    const id = wharfOk(root, ['create', '--network', 'none', '--cidfile', cid, 'flags:1', 'true']).trim();
    assert.equal(readFileSync(cid, 'utf8'), id);
    assert.equal(statSync(cid).mode & 0o777, 0o644);
    const again = wharf(root, ['create', '--cidfile', cid, 'flags:1', 'true']);
    assert.deepEqual([again.code, again.stderr], [1, `container ID file found, make sure the other container isn't running or delete ${cid}\n`]);
    assert.equal(readFileSync(cid, 'utf8'), id);
    const notDir = wharf(root, ['create', '--cidfile', join(cid, 'x'), 'flags:1', 'true']);
    assert.deepEqual([notDir.code, notDir.stderr], [1, `failed to create the container ID file: open ${join(cid, 'x')}: not a directory\n`]);
    const failed = join(dir, 'failed');
    assert.equal(wharf(root, ['create', '--pull', 'never', '--cidfile', failed, 'nosuch:1']).code, 1);
    assert.ok(!existsSync(failed));
  });

  test('--label-file: labels from the file (comments and blank lines skipped), -l added', () => {
    const file = join(dir, 'labels');
    writeFileSync(file, 'a=1\n# comment\n\nb=two words\n');
    const id = wharfOk(root, ['create', '--network', 'none', '--label-file', file, '-l', 'x=y', 'flags:1', 'true']).trim();
    assert.equal(wharfOk(root, ['inspect', '-f', '{{json .Config.Labels}}', id]), '{"a":"1","b":"two words","x":"y"}\n');
    const missing = wharf(root, ['create', '--label-file', join(dir, 'nope'), 'flags:1', 'true']);
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /open .*nope: no such file or directory/);
  });

  test('flags wharf does not implement fail with one line naming the flag; --platform of the host runs', () => {
    for (const args of [['--privileged'], ['--pid', 'host'], ['--device', '/dev/null'], ['--group-add', '10'], ['--volumes-from', 'x'], ['--platform', 'linux/arm64']]) {
      const r = wharf(root, ['run', '--rm', ...args, 'flags:1', 'true']);
      assert.equal(r.code, 125, args.join(' '));
      assert.match(r.stderr, new RegExp(`^wharf: ${args[0]} is not supported: [^\\n]+\\n$`));
    }
    assert.equal(wharf(root, ['ps', '-aq']).stdout.split('\n').filter(Boolean).length, 2, 'no container was made by the refused runs');
    const host = `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`;
    assert.equal(wharf(root, ['run', '--rm', '--network', 'none', '--platform', host, 'flags:1', 'true']).code, 0);
  });
});
