/**
 * Pull as a user sees it: on a terminal (a tmux pane, captured when the pull is over) each
 * layer keeps one line redrawn in place to its final state, as docker draws it; and
 * `registry-mirrors` in daemon.json (WHARF_CONFIG) serves docker.io pulls from a mirror on
 * 127.0.0.1 that holds the image, so Docker Hub itself is never asked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FakeRegistry } from '../../src/registry/client/testing/fake-registry.js';
import { WHARF_BIN, removeDir, tempDir } from '../helpers/wharf.js';
import { layerTar, plantImage, wharfRun } from './support.js';

const tmuxMissing = existsSync('/usr/bin/tmux') ? undefined : 'tmux is not installed';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const layers = (dir: string, n: number) =>
  Array.from({ length: n }, (_, i) => layerTar(dir, `t${i}`, { [`t${i}/data`]: randomBytes(200_000) }));

test('pull on a terminal redraws one line per layer in place, ending in its final state', { skip: tmuxMissing }, async () => {
  const dir = tempDir('wharf-tty-');
  const reg = await FakeRegistry.start();
  const sock = `wharf-test-${process.pid}-${Date.now()}`;
  const tmux = (args: string[]) => spawnSync('tmux', ['-L', sock, ...args], { encoding: 'utf8' });
  try {
    const img = plantImage(reg, 'lib/tty', 'v1', layers(dir, 5));
    // Slow blob answers so layers wait, download side by side and redraw many times.
    reg.fault = async (req) => {
      if (req.url?.includes('/blobs/sha256:') && req.method === 'GET') await sleep(150);
      return false;
    };
    const ref = `${reg.host}/lib/tty:v1`;
    const cmd = `DOCKER_CONFIG=${dir}/cfg ${WHARF_BIN} --root ${dir}/root pull ${ref}; echo "EXIT=$?"; sleep 600`;
    const started = tmux(['new-session', '-d', '-s', 'pull', '-x', '200', '-y', '40', cmd]);
    assert.equal(started.status, 0, started.stderr);
    let screen = '';
    for (let i = 0; i < 300 && !/^EXIT=/m.test(screen); i++) {
      await sleep(100);
      screen = tmux(['capture-pane', '-p', '-t', 'pull']).stdout;
    }
    const lines = screen.split('\n').map((l) => l.trimEnd()).filter(Boolean);
    const short = (d: string) => d.slice(7, 19);
    assert.deepEqual(lines, [
      'v1: Pulling from lib/tty',
      ...img.layerDigests.map((d) => `${short(d)}: Pull complete`),
      `Digest: ${img.manifestDigest}`,
      `Status: Downloaded newer image for ${ref}`,
      ref,
      'EXIT=0',
    ], screen);
  } finally {
    tmux(['kill-server']);
    await reg.close();
    removeDir(dir);
  }
});

test('registry-mirrors in daemon.json serves a docker.io pull from the mirror', async () => {
  const dir = tempDir('wharf-mirror-');
  const mirror = await FakeRegistry.start();
  try {
    const img = plantImage(mirror, 'library/busybox', 'latest', layers(dir, 2));
    const config = join(dir, 'daemon.json');
    writeFileSync(config, JSON.stringify({ 'registry-mirrors': [`http://${mirror.host}`] }));
    const r = await wharfRun(join(dir, 'root'), ['pull', 'busybox'], { WHARF_CONFIG: config, DOCKER_CONFIG: join(dir, 'cfg') });
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.split('\n');
    assert.deepEqual(out.slice(0, 2), ['Using default tag: latest', 'latest: Pulling from library/busybox']);
    assert.ok(r.stdout.endsWith(`Digest: ${img.manifestDigest}\nStatus: Downloaded newer image for busybox:latest\ndocker.io/library/busybox:latest\n`), r.stdout);
    const inspect = await wharfRun(join(dir, 'root'), ['image', 'inspect', '--format', '{{.Id}} {{json .RepoTags}}', 'busybox']);
    assert.equal(inspect.stdout.trim(), `${img.id} ["busybox:latest"]`);
    assert.ok(mirror.requests.some((q) => q.method === 'GET' && q.url === '/v2/library/busybox/manifests/latest'), 'the manifest came from the mirror');
    for (const d of img.layerDigests) assert.ok(mirror.requests.some((q) => q.url === `/v2/library/busybox/blobs/${d}`), `layer ${d} came from the mirror`);
    assert.equal(mirror.requests.filter((q) => q.headers.authorization).length, 0, 'mirrors are asked anonymously');
  } finally {
    await mirror.close();
    removeDir(dir);
  }
});
