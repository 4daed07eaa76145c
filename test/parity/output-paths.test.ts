/**
 * `save -o` and `export -o` never replace what is not a regular file: a device node, FIFO,
 * socket, directory or symlink at the path stays as it was, with Docker's sentence and exit 1;
 * a new or replaced file is 0600 whatever the umask. Each kind is made in a temp dir (never the
 * host's /dev/null), and the texts are compared with the reference dockerd's when there is one.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { removeDir, tempDir, wharf, wharfOk } from '../helpers/wharf.js';
import { busybox, importBusybox } from '../helpers/images.js';
import { referenceDocker } from '../helpers/reference-docker.js';

describe('save -o / export -o: user-named output paths', () => {
  const root = tempDir();
  const dir = tempDir('wharf-outpaths-');
  const paths: Record<string, string> = {};
  let server: Server;
  let container = '';
  const kinds = () => {
    const out: Record<string, string> = {};
    for (const [k, p] of Object.entries(paths)) {
      const st = lstatSync(p);
      out[k] = `${st.mode.toString(8)}:${st.isDirectory() ? readdirSync(p).join(',') : st.size}`;
    }
    return out;
  };

  before(async () => {
    await importBusybox(root, 'outpaths:1');
    container = wharfOk(root, ['create', '--network', 'none', 'outpaths:1', 'true']).trim();
    paths.char = join(dir, 'null');
    execFileSync('mknod', [paths.char, 'c', '1', '3']);
    paths.block = join(dir, 'loop');
    execFileSync('mknod', [paths.block, 'b', '7', '200']);
    paths.fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [paths.fifo]);
    paths.dir = join(dir, 'dir');
    mkdirSync(paths.dir);
    writeFileSync(join(paths.dir, 'keep'), 'x');
    paths.symlink = join(dir, 'link');
    symlinkSync(paths.char, paths.symlink);
    paths.setuid = join(dir, 'suid');
    writeFileSync(paths.setuid, 'suid');
    chmodSync(paths.setuid, 0o4755);
    paths.socket = join(dir, 'sock');
    server = createServer();
    await new Promise<void>((resolve) => server.listen(paths.socket, resolve));
  });
  after(() => {
    server.close();
    removeDir(root);
    removeDir(dir);
  });

  const expected: Record<string, string> = {
    char: 'cannot write to a character device file',
    block: 'cannot write to a block device file',
    fifo: 'cannot write to a named pipe (FIFO)',
    dir: 'cannot write to a directory',
    symlink: 'cannot write to a symbolic link directly',
    setuid: 'cannot write to a setuid file',
    socket: 'cannot write to a socket',
  };

  for (const [cmd, prefix] of [['save', 'failed to save image'], ['export', 'failed to export container']] as const) {
    test(`${cmd} -o refuses every path that is not a regular file and leaves it as it was`, () => {
      const ref = cmd === 'save' ? 'outpaths:1' : container;
      const before = kinds();
      for (const [kind, path] of Object.entries(paths)) {
        const r = wharf(root, [cmd, '-o', path, ref]);
        assert.deepEqual([r.code, r.stderr], [1, `${prefix}: ${expected[kind]}\n`], kind);
      }
      // The path check comes first, as docker's: before the image or container is looked up.
      const r = wharf(root, [cmd, '-o', paths.char!, 'nosuch']);
      assert.deepEqual([r.code, r.stderr], [1, `${prefix}: ${expected.char}\n`]);
      const missing = wharf(root, [cmd, '-o', join(dir, 'nodir', 'x.tar'), ref]);
      assert.deepEqual([missing.code, missing.stderr], [1, `${prefix}: invalid output path: stat ${join(dir, 'nodir')}: no such file or directory\n`]);
      const notDir = wharf(root, [cmd, '-o', join(paths.setuid!, 'x.tar'), ref]);
      assert.deepEqual([notDir.code, notDir.stderr], [1, `${prefix}: invalid output path: stat ${paths.setuid}: not a directory\n`]);
      assert.deepEqual(kinds(), before);
      assert.ok(lstatSync(paths.char!).isCharacterDevice());
      assert.deepEqual(readdirSync(dir).sort(), ['dir', 'fifo', 'link', 'loop', 'null', 'sock', 'suid']);
    });

    test(`${cmd} -o makes a 0600 file, replaces a regular file (0600 too), and leaves no temporary file behind`, () => {
      const ref = cmd === 'save' ? 'outpaths:1' : container;
      const out = tempDir('wharf-outfile-');
      try {
        const fresh = join(out, 'fresh.tar');
        wharfOk(root, [cmd, '-o', fresh, ref]);
        assert.equal(statSync(fresh).mode & 0o7777, 0o600);
        assert.match(execFileSync('tar', ['-tf', fresh], { encoding: 'utf8' }), cmd === 'save' ? /manifest\.json/ : /bin\/busybox/);
        const old = join(out, 'old.tar');
        writeFileSync(old, 'previous');
        chmodSync(old, 0o644);
        wharfOk(root, [cmd, '-o', old, ref]);
        assert.equal(statSync(old).mode & 0o7777, 0o600);
        assert.ok(statSync(old).size > 1000);
        // A failure (unknown image or container) leaves the old file as it was.
        writeFileSync(old, 'previous');
        assert.equal(wharf(root, [cmd, '-o', old, 'nosuch']).code, 1);
        assert.equal(statSync(old).size, 'previous'.length);
        assert.deepEqual(readdirSync(out).sort(), ['fresh.tar', 'old.tar']);
      } finally {
        removeDir(out);
      }
    });
  }

  test('registry htpasswd FILE: never written through a FIFO or device; a new file is 0600 and keeps other users', () => {
    const before = kinds();
    for (const kind of ['fifo', 'char', 'dir', 'symlink']) {
      const r = wharf(root, ['registry', 'htpasswd', paths[kind]!, 'bob', '--password', 'x']);
      assert.deepEqual([r.code, r.stderr], [1, `Error: ${expected[kind]}\n`], kind);
    }
    assert.deepEqual(kinds(), before);
    const out = tempDir('wharf-htpasswd-');
    try {
      const file = join(out, 'htpasswd');
      wharfOk(root, ['registry', 'htpasswd', file, 'bob', '--password', 'x']);
      wharfOk(root, ['registry', 'htpasswd', file, 'carol', '--password', 'y']);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.deepEqual(readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.split(':')[0]), ['bob', 'carol']);
      assert.deepEqual(readdirSync(out), ['htpasswd']);
    } finally {
      removeDir(out);
    }
  });

  test("the reference dockerd refuses the same paths with the same words", async (t) => {
    const docker = referenceDocker();
    if (typeof docker === 'string') return t.skip(docker);
    const image = `wharf-test-outpaths:${process.pid}`;
    assert.equal(docker(['import', await busybox(), image]).code, 0);
    const cid = docker(['create', image, 'true']).stdout.trim();
    try {
      for (const [cmd, ref] of [['save', image], ['export', cid]] as const) {
        for (const path of Object.values(paths)) {
          const d = docker([cmd, '-o', path, ref]);
          const w = wharf(root, [cmd, '-o', path, cmd === 'save' ? 'outpaths:1' : container]);
          assert.deepEqual([w.code, w.stderr], [d.code, d.stderr], `${cmd} -o ${path}`);
        }
        const missing = join(dir, 'nodir', 'x.tar');
        assert.equal(wharf(root, [cmd, '-o', missing, cmd === 'save' ? 'outpaths:1' : container]).stderr, docker([cmd, '-o', missing, ref]).stderr);
      }
    } finally {
      docker(['rm', '-f', cid]);
      docker(['rmi', '-f', image]);
    }
  });
});
