/**
 * The per-container monitor: health checks flip healthy/unhealthy, restart policies with
 * their counts, stop-timeout escalation, and interactive TTY sessions driven by tmux
 * (exit code passthrough, Ctrl-P Ctrl-Q detach then attach).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { Fixture, hasTmux, sleep, waitFor } from './helpers/fixture.js';

describe('containers: monitor', () => {
  const fx = new Fixture();
  const session = `wharf-mon-${process.pid}`;
  let img = '';
  before(() => {
    img = fx.busybox();
  });
  after(() => {
    spawnSync('tmux', ['kill-session', '-t', session]);
    fx.cleanup();
  });
  const inspect = (ref: string) => JSON.parse(fx.ok(['container', 'inspect', ref]))[0];

  test('health: unhealthy after retries, healthy again on success', async () => {
    fx.ok(['run', '-d', '--network', 'none', '--name', 'h1', '--health-cmd', 'test -f /tmp/ok', '--health-interval', '300ms', '--health-retries', '2', img, 'sleep', '60']);
    await waitFor(() => inspect('h1').State.Health?.Status === 'unhealthy');
    assert.ok(inspect('h1').State.Health.FailingStreak >= 2);
    assert.match(fx.ok(['ps', '--filter', 'name=h1', '--format', '{{.Status}}']), /^Up .* \(unhealthy\)$/m);
    execFileSync('runc', ['--root', '/run/wharf/runc', 'exec', inspect('h1').Id, 'touch', '/tmp/ok']);
    await waitFor(() => inspect('h1').State.Health?.Status === 'healthy');
    assert.match(fx.ok(['ps', '--filter', 'name=h1', '--format', '{{.Status}}']), /^Up .* \(healthy\)$/m);
    fx.ok(['rm', '-f', 'h1']);
    assert.deepEqual(fx.leaks(), []);
  });

  test('restart on-failure:2 restarts twice then stays exited', async () => {
    fx.ok(['run', '-d', '--network', 'none', '--name', 'of', '--restart', 'on-failure:2', img, 'sh', '-c', 'sleep 0.2; exit 4']);
    await waitFor(() => {
      const st = inspect('of');
      return st.State.Status === 'exited' && st.RestartCount === 2;
    });
    await sleep(1000);
    const st = inspect('of');
    assert.equal(st.RestartCount, 2);
    assert.equal(st.State.ExitCode, 4);
    assert.equal(st.State.Status, 'exited');
    fx.ok(['rm', 'of']);
    assert.deepEqual(fx.leaks(), []);
  });

  test('restart always: restarts after exit, not after stop; logs keep every run', async () => {
    fx.ok(['run', '-d', '--network', 'none', '--name', 'al', '--restart', 'always', img, 'sh', '-c', 'echo run; sleep 0.3']);
    await waitFor(() => inspect('al').RestartCount >= 2);
    assert.ok(fx.ok(['logs', 'al']).split('\n').filter((l) => l === 'run').length >= 2);
    fx.ok(['stop', '-t', '1', 'al']);
    const n = inspect('al').RestartCount;
    await sleep(1200);
    assert.equal(inspect('al').State.Running, false);
    assert.equal(inspect('al').RestartCount, n);
    fx.ok(['rm', 'al']);
    assert.deepEqual(fx.leaks(), []);
  });

  test('kill -s and wait report the exit code', () => {
    fx.ok(['run', '-d', '--network', 'none', '--name', 'k1', img, 'sh', '-c', 'trap "exit 7" USR1; touch /trapped; while :; do sleep 0.1; done']);
    // PID 1 ignores a signal it has no handler for yet: wait for the trap.
    for (let i = 0; i < 100 && fx.wharf(['exec', 'k1', 'test', '-e', '/trapped']).code !== 0; i++) fx.ok(['exec', 'k1', 'sleep', '0.05']);
    fx.ok(['kill', '-s', 'USR1', 'k1']);
    assert.equal(fx.ok(['wait', 'k1']), '7\n');
    const r = fx.wharf(['kill', 'k1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is not running/);
    fx.ok(['rm', 'k1']);
  });

  test('run -it in a terminal: exit 3 is the exit code; Ctrl-P Ctrl-Q detaches, attach resumes', { skip: !hasTmux() && 'tmux is not installed' }, async () => {
    const pane = () => execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
    const keys = (...k: string[]) => execFileSync('tmux', ['send-keys', '-t', session, ...k]);
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '100', '-y', '30', `${fx.command(`run -it --network none --name it1 ${img} sh`)}; echo EXIT=$?; sleep 60`]);
    await waitFor(() => pane().includes('/ #'));
    keys('echo a-$((20+1))', 'Enter');
    await waitFor(() => pane().includes('a-21'));
    keys('exit 3', 'Enter');
    await waitFor(() => pane().includes('EXIT=3'));
    spawnSync('tmux', ['kill-session', '-t', session]);

    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '100', '-y', '30', `${fx.command(`run -it --network none --name it2 ${img} sh`)}; echo EXIT=$?; sleep 60`]);
    await waitFor(() => pane().includes('/ #'));
    keys('C-p', 'C-q');
    await waitFor(() => pane().includes('EXIT=0'));
    assert.equal(inspect('it2').State.Running, true);
    spawnSync('tmux', ['kill-session', '-t', session]);
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '100', '-y', '30', `${fx.command('attach it2')}; echo EXIT=$?; sleep 60`]);
    await sleep(800);
    keys('echo b-$((40+2))', 'Enter');
    await waitFor(() => pane().includes('b-42'));
    keys('exit 5', 'Enter');
    await waitFor(() => pane().includes('EXIT=5'));
    spawnSync('tmux', ['kill-session', '-t', session]);
    fx.ok(['rm', 'it1', 'it2']);
    assert.deepEqual(fx.leaks(), []);
  });
});
