/**
 * `run` and `create` pull a missing image as docker's CLI does ("Unable to find image 'X:latest'
 * locally", the pull's progress on stderr, then the container), and `--pull always|missing|never`
 * with docker's messages and exit codes. The registry is wharf's own server on 127.0.0.1; the
 * texts are compared with the reference dockerd's (pulling from the same registry) when present.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { removeDir, tempDir, wharfAsync, wharfOk, WHARF_BIN } from '../helpers/wharf.js';
import { busybox, importBusybox } from '../helpers/images.js';
import { referenceDocker } from '../helpers/reference-docker.js';
import { startRegistry, type TestRegistry } from '../registry-server/helpers.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Spawned without blocking: the registry answers from this same process. */
function exec(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Progress lines vary with what is already there; keep docker's framing lines only. */
const framing = (s: string) =>
  s
    .split('\n')
    .filter((l) => !/^[0-9a-f]{12}: /.test(l))
    .join('\n');

describe('run/create pull what is missing, under --pull', () => {
  let reg: TestRegistry;
  let name = '';
  const src = tempDir();
  const dst = tempDir();
  before(async () => {
    reg = await startRegistry();
    name = `${reg.url.replace(/^https?:\/\//, '')}/pull/bb`;
    await importBusybox(src, name);
    const pushed = await wharfAsync(src, ['push', name]);
    assert.equal(pushed.code, 0, pushed.stderr);
  });
  after(async () => {
    await reg.stop();
    removeDir(src);
    removeDir(dst);
  });

  test('a missing image is pulled (stderr: Unable to find..., progress, Status), then run; a second run pulls nothing', async () => {
    const r = await wharfAsync(dst, ['run', '--rm', '--network', 'none', name, 'echo', 'hi']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hi\n');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines[0], `Unable to find image '${name}:latest' locally`);
    assert.equal(lines[1], 'latest: Pulling from pull/bb');
    assert.match(lines.at(-2)!, /^Digest: sha256:[0-9a-f]{64}$/);
    assert.equal(lines.at(-1), `Status: Downloaded newer image for ${name}:latest`);
    const again = await wharfAsync(dst, ['run', '--rm', '--network', 'none', name, 'echo', 'hi']);
    assert.deepEqual([again.code, again.stdout, again.stderr], [0, 'hi\n', '']);
  });

  test('--pull always pulls first (no "Unable to find"), --pull never never pulls, a bad value is refused', async () => {
    const always = await wharfAsync(dst, ['run', '--rm', '--network', 'none', '--pull', 'always', name, 'true']);
    assert.equal(always.code, 0, always.stderr);
    assert.match(always.stderr, new RegExp(`^latest: Pulling from pull/bb\nDigest: sha256:[0-9a-f]{64}\nStatus: Image is up to date for ${name.replace(/\./g, '\\.')}:latest\n$`));
    const fresh = tempDir();
    try {
      const never = await wharfAsync(fresh, ['run', '--pull', 'never', name, 'true']);
      assert.deepEqual([never.code, never.stderr], [125, `wharf: Error response from daemon: No such image: ${name}:latest\n\nRun 'wharf run --help' for more information\n`]);
      const create = await wharfAsync(fresh, ['create', '--pull', 'never', name]);
      assert.deepEqual([create.code, create.stderr], [1, `Error response from daemon: No such image: ${name}:latest\n`]);
      assert.equal(wharfOk(fresh, ['images', '-q']), '');
      const created = await wharfAsync(fresh, ['create', '--network', 'none', name, 'true']);
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /^[0-9a-f]{64}\n$/);
      assert.match(created.stderr, /^Unable to find image '.*:latest' locally\nlatest: Pulling from pull\/bb\n/);
    } finally {
      removeDir(fresh);
    }
    const bad = await wharfAsync(dst, ['run', '--pull', 'bogus', name]);
    assert.deepEqual([bad.code, bad.stderr], [125, `wharf: invalid pull option: 'bogus': must be one of "always", "missing" or "never"\n\nRun 'wharf run --help' for more information\n`]);
    const unknown = await wharfAsync(dst, ['run', '--rm', `${name}-nosuch`]);
    assert.deepEqual(
      [unknown.code, unknown.stderr],
      [125, `Unable to find image '${name}-nosuch:latest' locally\nwharf: Error response from daemon: repository ${name}-nosuch not found: name unknown: repository name not known to registry\n\nRun 'wharf run --help' for more information\n`],
    );
  });

  test('the same commands against the reference dockerd print the same (progress lines aside)', async (t) => {
    const docker = referenceDocker();
    if (typeof docker === 'string') return t.skip(docker);
    const host = { DOCKER_HOST: process.env.WHARF_TEST_DOCKER_HOST };
    const theirName = `${name}-docker${process.pid}`;
    assert.equal(docker(['import', await busybox(), theirName]).code, 0);
    const pushed = await exec('docker', ['push', theirName], host);
    assert.equal(pushed.code, 0, pushed.stderr);
    docker(['rmi', theirName]);
    const fresh = tempDir();
    try {
      const pairs: [string[], string[]][] = [
        [['run', '--rm', theirName, 'echo', 'hi'], ['run', '--rm', '--network', 'none', theirName, 'echo', 'hi']],
        [['run', '--rm', '--pull', 'always', theirName, 'true'], ['run', '--rm', '--network', 'none', '--pull', 'always', theirName, 'true']],
        [['run', '--pull', 'bogus', theirName], ['run', '--pull', 'bogus', theirName]],
        [['run', `${name}-nosuch`], ['run', `${name}-nosuch`]],
        [['create', '--pull', 'never', `${name}-nosuch`], ['create', '--pull', 'never', `${name}-nosuch`]],
      ];
      for (const [d, w] of pairs) {
        const theirs = await exec('docker', d, host);
        const ours = await exec(WHARF_BIN, ['--root', fresh, ...w]);
        assert.deepEqual([ours.code, ours.stdout, framing(ours.stderr).replaceAll('wharf', 'docker')], [theirs.code, theirs.stdout, framing(theirs.stderr)], d.join(' '));
      }
    } finally {
      docker(['rmi', '-f', theirName]);
      removeDir(fresh);
    }
  });
});
