/**
 * Re-attaching to a TTY container redraws the shell's prompt, as with docker: on attach the
 * terminal is resized one larger, then to its size, so the shell gets SIGWINCH with a changed
 * width and redraws. Driven in a real terminal (tmux): run -it, Ctrl-P Ctrl-Q, clear, attach.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { WHARF_BIN, removeDir, tempDir, wharf } from '../helpers/wharf.js';
import { importBusybox } from '../helpers/images.js';

const tmuxMissing = existsSync('/usr/bin/tmux') ? undefined : 'tmux is not installed';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const root = tempDir();
const sock = `wharf-redraw-${process.pid}`;
const tmux = (args: string[]) => spawnSync('tmux', ['-L', sock, ...args], { encoding: 'utf8' });

before(async () => void (await importBusybox(root, 'redraw:1')));
after(() => {
  tmux(['kill-server']);
  wharf(root, ['rm', '-f', 'redraw']);
  removeDir(root);
});

async function until(pred: (screen: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 15000;
  let screen = '';
  while (Date.now() < deadline) {
    screen = tmux(['capture-pane', '-p', '-t', 'a']).stdout;
    if (pred(screen)) return screen;
    await sleep(100);
  }
  assert.fail(`waiting for ${what}:\n${screen}`);
}

test('attach after a detach redraws the prompt of a shell in a TTY container', { skip: tmuxMissing }, async () => {
  assert.equal(tmux(['new-session', '-d', '-s', 'a', '-x', '200', '-y', '20', 'bash --norc']).status, 0);
  const w = `${WHARF_BIN} --root ${root}`;
  tmux(['send-keys', '-t', 'a', `${w} run -it --name redraw --network none redraw:1 sh`, 'Enter']);
  await until((s) => /^\/ #\s*$/m.test(s), 'the first prompt');
  tmux(['send-keys', '-t', 'a', 'C-p', 'C-q']);
  await until((s) => /read escape sequence/.test(s) || /bash-[\d.]+#\s*$/m.test(s.split('redraw:1 sh')[1] ?? ''), 'the detach');
  tmux(['send-keys', '-t', 'a', 'clear', 'Enter']);
  await sleep(300);
  tmux(['send-keys', '-t', 'a', `${w} attach redraw`, 'Enter']);
  const screen = await until((s) => /attach redraw\n\/ #/.test(s), 'the redrawn prompt');
  assert.match(screen, /attach redraw\n\/ #/);
});
