/**
 * `docker run -it`, resize, the detach keys, `docker attach` and `docker exec -it` through
 * `wharf serve`, in a real terminal (tmux): the hijacked connection carries raw TTY bytes
 * both ways, and a detach leaves the container running.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { docker, DOCKER_CLI, serve, type Served } from './helpers.js';

const hasTmux = spawnSync('sh', ['-c', 'command -v tmux']).status === 0;
const skip = !DOCKER_CLI ? 'no docker CLI' : !hasTmux ? 'tmux is not installed' : process.getuid?.() !== 0 ? 'wharf serve runs containers as root' : false;
const session = `wharf-api-tty-${process.pid}`;
let s: Served;

const pane = () => execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
const keys = (...k: string[]) => execFileSync('tmux', ['send-keys', '-t', session, ...k]);

async function until(what: string, ok: () => boolean, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}; pane:\n${pane()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function inTmux(cmd: string): void {
  spawnSync('tmux', ['kill-session', '-t', session]);
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '100', '-y', '30', `DOCKER_HOST=${s.host} ${DOCKER_CLI} ${cmd}; echo EXIT=$?; sleep 60`]);
}

describe('docker -it through wharf serve', { skip }, () => {
  before(async () => (s = await serve()));
  after(async () => {
    spawnSync('tmux', ['kill-session', '-t', session]);
    await s?.stop();
  });

  test('run -it: a shell on a pty, its size, a resize, detach, attach, exit code', async () => {
    inTmux(`run -it --name api-tty ${s.image} sh`);
    await until('the prompt', () => pane().includes('/ #'));
    keys('tty; stty size; echo sum=$((40+2))', 'Enter');
    await until('the answers', () => pane().includes('sum=42'));
    assert.match(pane(), /\/dev\/pts\/\d+\n30 100\n/);
    execFileSync('tmux', ['resize-window', '-t', session, '-x', '120', '-y', '40']);
    await new Promise((r) => setTimeout(r, 300));
    keys('stty size', 'Enter');
    await until('the new size', () => pane().includes('40 120'));
    keys('C-p', 'C-q');
    await until('the detach', () => pane().includes('EXIT=0'));
    assert.equal(docker(s.host, ['inspect', '-f', '{{.State.Status}}', 'api-tty']).stdout, 'running\n');

    inTmux('attach api-tty');
    await new Promise((r) => setTimeout(r, 500));
    keys('echo back-$((1+1))', 'Enter');
    await until('the attached shell', () => pane().includes('back-2'));
    keys('exit 4', 'Enter');
    await until('the exit', () => pane().includes('EXIT=4'));
    assert.equal(docker(s.host, ['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'api-tty']).stdout, 'exited 4\n');
  });

  test('exec -it: a second shell in a running container', async () => {
    assert.equal(docker(s.host, ['run', '-d', '--name', 'api-exec', s.image, 'sleep', '60']).code, 0);
    inTmux('exec -it api-exec sh');
    await until('the prompt', () => pane().includes('/ #'));
    keys('tty; echo in-$((3*3)); exit 3', 'Enter');
    await until('the exit', () => pane().includes('EXIT=3'));
    assert.match(pane(), /\/dev\/pts\/\d+\nin-9\n/);
  });
});
