/**
 * `push` to a registry that cannot be reached fails before any `Preparing` line, and push
 * failures print bare as docker prints them from dockerd's stream. The registry is a closed
 * port on 127.0.0.1, so nothing leaves the host; compared with the reference dockerd.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { removeDir, tempDir, wharf } from '../helpers/wharf.js';
import { busybox, importBusybox } from '../helpers/images.js';
import { referenceDocker } from '../helpers/reference-docker.js';

describe('push to an unreachable registry', () => {
  const root = tempDir();
  const ref = '127.0.0.1:1/parity/bb';
  before(async () => void (await importBusybox(root, ref)));
  after(() => removeDir(root));

  test('fails after the header, before Preparing, with the dial error bare', () => {
    const r = wharf(root, ['push', ref]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [
      1,
      `Using default tag: latest\nThe push refers to repository [${ref}]\n`,
      'Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused\n',
    ]);
  });

  test('as the reference dockerd prints it', async (t) => {
    const docker = referenceDocker();
    if (typeof docker === 'string') return t.skip(docker);
    const theirs = `127.0.0.1:1/wharf-test-push${process.pid}`;
    assert.equal(docker(['import', await busybox(), theirs]).code, 0);
    try {
      await importBusybox(root, theirs);
      const d = docker(['push', theirs]);
      const w = wharf(root, ['push', theirs]);
      assert.deepEqual([w.code, w.stdout, w.stderr], [d.code, d.stdout, d.stderr]);
    } finally {
      docker(['rmi', theirs]);
    }
  });
});
