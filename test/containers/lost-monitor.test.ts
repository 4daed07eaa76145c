/**
 * A foreground `run` whose CLI is killed (SIGKILL: no clean-up runs) leaves a container its
 * monitor can no longer finish. `ps -a` must then show it exited a moment ago (not "2027
 * years ago": its finish time is set when the loss is found), and an `--rm` container must go,
 * as its monitor would have removed it, with nothing of it left on the host.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxFixture, waitFor } from './helpers/fixture.js';

const wharfBin = join(import.meta.dirname, '../../bin/wharf');

describe('containers: a foreground run whose CLI was killed', () => {
  const fx = busyboxFixture();

  /** Start `run ARGS` in the foreground, wait until its container runs, then SIGKILL the CLI. */
  async function killedRun(args: string[]): Promise<string> {
    const cli = spawn(wharfBin, ['--root', fx.root, 'run', '--network', 'none', ...args], { stdio: 'ignore' });
    const dir = join(fx.root, 'containers');
    let id = '';
    await waitFor(() => {
      id = existsSync(dir) ? (readdirSync(dir).find((n) => /^[0-9a-f]{64}$/.test(n)) ?? '') : '';
      return !!id && fx.ok(['ps', '-q', '--no-trunc']).includes(id);
    });
    const gone = new Promise((r) => cli.on('exit', r));
    cli.kill('SIGKILL');
    await gone;
    return id;
  }

  test('ps -a shows it exited (255) just now, and inspect has a finish time', async () => {
    const id = await killedRun(['--name', 'lost', fx.img, 'sleep', '300']);
    const status = fx.ok(['ps', '-a', '--filter', 'name=lost', '--format', '{{.Status}}']).trim();
    assert.match(status, /^Exited \(255\) (Less than a second|[0-9]+ seconds?) ago$/);
    const finished = Date.parse(fx.ok(['inspect', '-f', '{{.State.FinishedAt}}', 'lost']).trim());
    assert.ok(Math.abs(Date.now() - finished) < 60_000, `FinishedAt ${finished}`);
    // Found once, recorded once: a second look gives the same time.
    assert.equal(Date.parse(fx.ok(['inspect', '-f', '{{.State.FinishedAt}}', 'lost']).trim()), finished);
    fx.ok(['rm', '-f', id]);
  });

  test('an --rm container is removed, its runtime state and mounts with it', async () => {
    const id = await killedRun(['--rm', '--name', 'lostrm', fx.img, 'sleep', '300']);
    assert.equal(fx.ok(['ps', '-a', '-q', '--no-trunc']).includes(id), false);
    assert.equal(existsSync(join(fx.root, 'containers', id)), false);
    assert.deepEqual(fx.leaks().filter((l) => l.includes(id)), []);
    assert.equal(fx.wharf(['run', '--rm', '--name', 'lostrm', '--network', 'none', fx.img, 'true']).code, 0, 'the name is free again');
  });
});
