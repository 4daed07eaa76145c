/**
 * `pause` and `unpause` end to end: a paused container's processes stop making progress and
 * go on after unpause; ps and inspect show it paused; exec, start and rm refuse it with
 * docker's messages; stop and kill still end it (SIGKILL thaws it), with nothing left behind.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { busyboxFixture, sleep } from './helpers/fixture.js';

describe('containers: pause and unpause', () => {
  const fx = busyboxFixture();

  /** The counter the container keeps writing (whole: it renames each value into place), read from outside: `cp` works on a frozen container. */
  const counter = (name: string) => {
    const tar = fx.ok(['cp', `${name}:/count`, '-']);
    const size = parseInt(tar.slice(124, 136), 8); // the first entry's header, then its data
    return Number(tar.slice(512, 512 + size).trim());
  };

  test('a paused container stops counting, shows as paused, and counts again after unpause', async () => {
    const id = fx.ok(['run', '-d', '--name', 'pz', '--network', 'none', fx.img, 'sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i > /count.new; mv /count.new /count; sleep 0.02; done']).trim();
    for (let i = 0; i < 100 && fx.wharf(['cp', 'pz:/count', '-']).code !== 0; i++) await sleep(50);
    assert.equal(fx.ok(['pause', 'pz']), 'pz\n');
    const frozen = counter('pz');
    await sleep(400);
    assert.equal(counter('pz'), frozen, 'the count moved while paused');
    assert.match(fx.ok(['ps', '--format', '{{.Status}}|{{.State}}', '--filter', 'name=pz']), /^Up .* \(Paused\)\|paused\n$/);
    assert.equal(fx.ok(['inspect', '-f', '{{.State.Status}} {{.State.Running}} {{.State.Paused}}', 'pz']), 'paused true true\n');

    const refusals: [string[], string][] = [
      [['pause', 'pz'], `Error response from daemon: Container ${id} is already paused\n`],
      [['exec', 'pz', 'true'], 'Error response from daemon: Container pz is paused, unpause the container before exec\n'],
      [['rm', 'pz'], `Error response from daemon: You cannot remove a paused container ${id}. Unpause and then stop the container before attempting removal or force remove\n`],
    ];
    for (const [args, stderr] of refusals) {
      const r = fx.wharf(args);
      assert.deepEqual([r.code, r.stderr], [1, stderr], args.join(' '));
    }

    assert.equal(fx.ok(['unpause', 'pz']), 'pz\n');
    for (let i = 0; i < 100 && counter('pz') <= frozen; i++) await sleep(50);
    assert.ok(counter('pz') > frozen, 'the count did not move after unpause');
    const r = fx.wharf(['unpause', 'pz']);
    assert.deepEqual([r.code, r.stderr], [1, `Error response from daemon: Container ${id} is not paused\n`]);
    fx.ok(['rm', '-f', 'pz']);
  });

  test('stop and kill end a paused container; pause refuses a container that is not running', () => {
    fx.ok(['run', '-d', '--name', 'ps1', '--network', 'none', fx.img, 'sleep', '300']);
    fx.ok(['pause', 'ps1']);
    // SIGTERM waits for a thaw that never comes; the timeout's SIGKILL thaws and ends it.
    assert.equal(fx.ok(['stop', '-t', '1', 'ps1']), 'ps1\n');
    assert.equal(fx.ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.State.Paused}}', 'ps1']), 'exited 137 false\n');
    const created = fx.ok(['create', '--name', 'pc', '--network', 'none', fx.img, 'true']).trim();
    const r = fx.wharf(['pause', 'pc']);
    assert.deepEqual([r.code, r.stderr], [1, `Error response from daemon: Container ${created} is not running\n`]);
    fx.ok(['start', 'ps1']);
    fx.ok(['pause', 'ps1']);
    assert.equal(fx.ok(['kill', 'ps1']), 'ps1\n');
    assert.equal(fx.ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'ps1']), 'exited 137\n');
    fx.ok(['rm', 'ps1', 'pc']);
    assert.deepEqual(fx.leaks(), []);
  });
});
