/**
 * The seeds' commit walkthrough, driven through a real terminal (tmux): commit a running
 * interactive container, stack a second commit on it, check the layer lists, history and
 * parent, that `rmi` refuses an image a container uses, then Untagged/Deleted after rm.
 * Also: diff lines, and export + import squashing to one layer.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Fixture, hasTmux, sleep, waitFor } from './helpers/fixture.js';

const layers = (fx: Fixture, ref: string): string[] => JSON.parse(fx.ok(['inspect', '--format', '{{json .RootFS.Layers}}', ref]));

describe('containers: commit walkthrough', () => {
  const fx = new Fixture();
  const session = `wharf-commit-${process.pid}`;
  let img = '';
  before(() => {
    img = fx.busybox();
  });
  after(() => {
    spawnSync('tmux', ['kill-session', '-t', session]);
    fx.cleanup();
  });

  test('run -it, commit twice, layers grow by one, rmi refused then allowed', { skip: !hasTmux() && 'tmux is not installed' }, async () => {
    const base = layers(fx, img);
    try {
      await walkthrough(base);
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session]);
      fx.wharf(['rm', '-f', 'commit_test', 'commit_test2']);
    }
  });

  async function walkthrough(base: string[]): Promise<void> {
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '30', `${fx.command(`run -i -t --network none --name commit_test ${img}`)}; sleep 60`]);
    const pane = () => execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
    await waitFor(() => pane().includes('/ #'));
    execFileSync('tmux', ['send-keys', '-t', session, 'echo test_first! >> first && echo done-$((1+1))', 'Enter']);
    await waitFor(() => pane().includes('done-2'));

    const first = fx.ok(['commit', '-a', 'author', '-m', 'my first commit', 'commit_test', 'commit_test:first']).trim();
    assert.match(first, /^sha256:[0-9a-f]{64}$/);
    const l1 = layers(fx, 'commit_test:first');
    assert.equal(l1.length, base.length + 1);
    assert.deepEqual(l1.slice(0, base.length), base);
    const info = JSON.parse(fx.ok(['inspect', 'commit_test:first']))[0];
    assert.equal(info.Author, 'author');
    assert.equal(info.Comment, 'my first commit');
    assert.equal(info.Parent, JSON.parse(fx.ok(['inspect', img]))[0].Id);
    assert.equal(info.Config.Cmd[0], 'sh');
    assert.match(fx.ok(['history', 'commit_test:first']), /my first commit/);

    fx.ok(['run', '--network', 'none', '--name', 'commit_test2', 'commit_test:first', 'sh', '-c', 'cat first > second; echo test_second! >> second']);
    fx.ok(['commit', '-a', 'author', '-m', 'my second commit', 'commit_test2', 'commit_test:second']);
    const l2 = layers(fx, 'commit_test:second');
    assert.equal(l2.length, l1.length + 1);
    assert.deepEqual(l2.slice(0, l1.length), l1);
    assert.equal(fx.ok(['run', '--rm', '--network', 'none', 'commit_test:second', 'cat', 'second']), 'test_first!\ntest_second!\n');
    assert.deepEqual(fx.ok(['diff', 'commit_test2']).trim().split('\n'), ['A /second']);

    const refused = fx.wharf(['rmi', 'commit_test:first']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /conflict: unable to remove repository reference "commit_test:first" \(must force\) - container [0-9a-f]{12} is using its referenced image [0-9a-f]{12}/);

    execFileSync('tmux', ['send-keys', '-t', session, 'exit', 'Enter']);
    fx.ok(['stop', 'commit_test']);
    fx.ok(['rm', 'commit_test', 'commit_test2']);
    const second = fx.ok(['rmi', 'commit_test:second']);
    assert.match(second, /^Untagged: commit_test:second\nDeleted: sha256:[0-9a-f]{64}\n/);
    const firstOut = fx.ok(['rmi', 'commit_test:first']);
    assert.match(firstOut, /^Untagged: commit_test:first\nDeleted: sha256:[0-9a-f]{64}\n/);
    assert.deepEqual(fx.leaks(), []);
  }

  test('export writes the flattened filesystem; import makes a one-layer image', () => {
    fx.ok(['run', '--network', 'none', '--name', 'exp', img, 'sh', '-c', 'echo x > /added; rm /notexec']);
    const tar = join(fx.dir, 'exp.tar');
    fx.ok(['export', '-o', tar, 'exp']);
    const names = execFileSync('tar', ['-tf', tar], { encoding: 'utf8' });
    assert.match(names, /^\.?\/?added$/m);
    assert.doesNotMatch(names, /notexec/);
    fx.ok(['import', tar, 'squashed:1']);
    assert.equal(layers(fx, 'squashed:1').length, 1);
    assert.equal(fx.ok(['run', '--rm', '--network', 'none', 'squashed:1', 'cat', '/added']), 'x\n');
    fx.ok(['rm', 'exp']);
    assert.deepEqual(fx.leaks(), []);
  });
});
