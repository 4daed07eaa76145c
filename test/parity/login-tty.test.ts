/**
 * Interactive `login` in a real terminal (a tmux pane): the typed username is the one used;
 * stored credentials are tried first ("Authenticating with existing credentials..."), and when
 * they fail the prompt offers the stored name (`Username (alice):`), Enter keeps it and a typed
 * name replaces it. Each screen is compared with the docker CLI's against the reference dockerd.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeRegistry } from '../../src/registry/client/testing/fake-registry.js';
import { WHARF_BIN, removeDir, tempDir } from '../helpers/wharf.js';
import { referenceDocker } from '../helpers/reference-docker.js';

const tmuxMissing = existsSync('/usr/bin/tmux') ? undefined : 'tmux is not installed';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Step {
  /** Text that must be on the screen before the keys are sent. */
  waitFor: string;
  keys: string;
}

describe('interactive login on a terminal', { skip: tmuxMissing }, () => {
  let reg: FakeRegistry;
  const dir = tempDir('wharf-login-tty-');
  const sock = `wharf-login-${process.pid}`;
  const tmux = (args: string[]) => spawnSync('tmux', ['-L', sock, ...args], { encoding: 'utf8' });
  let n = 0;
  before(async () => {
    reg = await FakeRegistry.start({ auth: { scheme: 'basic', username: 'alice', password: 'secret' } });
  });
  after(async () => {
    tmux(['kill-server']);
    await reg.close();
    removeDir(dir);
  });

  /** Run `cmd` in a fresh pane, type each step's keys once its prompt shows; the final screen. */
  async function screen(cmd: string, cfg: string, steps: Step[]): Promise<string> {
    const name = `s${n++}`;
    const started = tmux(['new-session', '-d', '-s', name, '-x', '200', '-y', '30', `DOCKER_CONFIG=${cfg} ${cmd}; echo "EXIT=$?"; sleep 600`]);
    assert.equal(started.status, 0, started.stderr);
    let text = '';
    const deadline = Date.now() + 20000;
    const capture = () => (text = tmux(['capture-pane', '-p', '-t', name]).stdout);
    for (const step of steps) {
      while (!capture().includes(step.waitFor) && Date.now() < deadline) await sleep(50);
      assert.ok(text.includes(step.waitFor), `waiting for ${JSON.stringify(step.waitFor)}:\n${text}`);
      await sleep(100);
      tmux(['send-keys', '-t', name, '-l', step.keys]);
      tmux(['send-keys', '-t', name, 'Enter']);
    }
    while (!/^EXIT=/m.test(capture()) && Date.now() < deadline) await sleep(50);
    return text
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n')
      .replace(/\n+$/, '')
      .replaceAll(cfg, 'CFG');
  }

  const config = (cfg: string, user: string, password: string) => {
    mkdirSync(cfg, { recursive: true });
    writeFileSync(join(cfg, 'config.json'), JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`${user}:${password}`).toString('base64') } } }));
  };
  const storedUser = (cfg: string) => Buffer.from(JSON.parse(readFileSync(join(cfg, 'config.json'), 'utf8')).auths[reg.host].auth, 'base64').toString();

  /** The four cases, for one CLI; returns their screens. */
  async function cases(cli: string, tag: string): Promise<string[]> {
    const cfg = (k: string) => join(dir, `${tag}-${k}`);
    const out: string[] = [];
    mkdirSync(cfg('fresh'));
    out.push(await screen(`${cli} login ${reg.host}`, cfg('fresh'), [{ waitFor: 'Username:', keys: 'alice' }, { waitFor: 'Password:', keys: 'secret' }]));
    assert.equal(storedUser(cfg('fresh')), 'alice:secret');
    config(cfg('stored'), 'alice', 'secret');
    out.push(await screen(`${cli} login ${reg.host}`, cfg('stored'), []));
    config(cfg('keep'), 'alice', 'old');
    out.push(await screen(`${cli} login ${reg.host}`, cfg('keep'), [{ waitFor: 'Username (alice):', keys: '' }, { waitFor: 'Password:', keys: 'secret' }]));
    assert.equal(storedUser(cfg('keep')), 'alice:secret');
    config(cfg('other'), 'alice', 'old');
    out.push(await screen(`${cli} login ${reg.host}`, cfg('other'), [{ waitFor: 'Username (alice):', keys: 'bob' }, { waitFor: 'Password:', keys: 'secret' }]));
    assert.equal(storedUser(cfg('other')), 'alice:old');
    return out;
  }

  test('the typed username is used; Enter keeps the stored one; stored credentials are tried first', async () => {
    const [fresh, stored, keep, other] = await cases(`${WHARF_BIN} --root ${dir}/root`, 'w');
    assert.match(fresh!, /^Username: alice\nPassword:\n\nWARNING! Your credentials are stored unencrypted in 'CFG\/config.json'\.\n[^]*\nLogin Succeeded\nEXIT=0$/);
    assert.match(stored!, /^Authenticating with existing credentials\.\.\. \[Username: alice\]\n\ni Info → To login with a different account, run 'docker logout' followed by 'docker login'\n\n\nLogin Succeeded\nEXIT=0$/);
    assert.match(keep!, /\nLogin did not succeed, error: Error response from daemon: login attempt to http:\/\/[^ ]+\/v2\/ failed with status: 401 Unauthorized\nUsername \(alice\):\nPassword:\n\nWARNING![^]*\nLogin Succeeded\nEXIT=0$/);
    assert.match(other!, /\nUsername \(alice\): bob\nPassword:\nError response from daemon: login attempt to http:\/\/[^ ]+\/v2\/ failed with status: 401 Unauthorized\nEXIT=1$/);
  });

  test('the screens are the docker CLI\'s, against the reference dockerd', async (t) => {
    const docker = referenceDocker();
    if (typeof docker === 'string') return t.skip(docker);
    const theirs = await cases(`DOCKER_HOST=${process.env.WHARF_TEST_DOCKER_HOST} docker`, 'd');
    const ours = await cases(`${WHARF_BIN} --root ${dir}/root`, 'w2');
    assert.deepEqual(ours, theirs);
  });
});
