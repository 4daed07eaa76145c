/**
 * Commands a Docker user types every day that wharf lacked: `system prune [-a] [--volumes] [-f]`
 * (docker's warning, prompt and report; running containers and used images kept), `context
 * ls|use` with the one default context, and `completion bash|zsh|fish` (commands, flags, image and
 * container names, checked by running bash's completion function).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WHARF_BIN, removeDir, tempDir, wharf, wharfOk } from '../helpers/wharf.js';
import { importBusybox } from '../helpers/images.js';

describe('system prune, context, completion', () => {
  const root = tempDir();
  const dir = tempDir('wharf-cmds-');
  before(async () => void (await importBusybox(root, 'cmds:1')));
  after(() => {
    wharf(root, ['rm', '-f', 'keeper']);
    removeDir(root);
    removeDir(dir);
  });

  test('system prune: the prompt (n keeps everything), then -f removes stopped containers and dangling images only', async () => {
    const stopped = wharfOk(root, ['create', '--network', 'none', 'cmds:1', 'true']).trim();
    wharfOk(root, ['run', '-d', '--name', 'keeper', '--network', 'none', 'cmds:1', 'sleep', '60']);
    const dangling = wharfOk(root, ['import', await import('../helpers/images.js').then((m) => m.busybox())]).trim();
    const no = wharf(root, ['system', 'prune'], { input: 'n\n' });
    assert.equal(no.stdout, 'WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all dangling images\n  - all dangling build cache\n\nAre you sure you want to continue? [y/N] ');
    assert.match(wharfOk(root, ['ps', '-aq', '--no-trunc']), new RegExp(stopped));
    const r = wharfOk(root, ['system', 'prune', '-f']);
    assert.match(r, new RegExp(`^Deleted Containers:\\n${stopped}\\n\\nDeleted Images:\\ndeleted: ${dangling}\\n(deleted: sha256:[0-9a-f]{64}\\n)*\\nTotal reclaimed space: \\S+\\n$`));
    assert.equal(wharfOk(root, ['ps', '-aq']).trim().split('\n').length, 1);
    assert.match(wharfOk(root, ['images', '--format', '{{.Repository}}:{{.Tag}}']), /^cmds:1$/m);
    const all = wharf(root, ['system', 'prune', '-a', '--volumes'], { input: 'n\n' });
    assert.match(all.stdout, /  - all volumes not used by at least one container\n  - all images without at least one container associated to them\n  - all build cache\n/);
  });

  test('context ls / use / show: the default context; others refused', () => {
    assert.match(wharfOk(root, ['context', 'ls']), /^NAME +DESCRIPTION +DOCKER ENDPOINT +KUBERNETES ENDPOINT +ORCHESTRATOR\ndefault \* +/);
    const use = wharf(root, ['context', 'use', 'default']);
    assert.deepEqual([use.code, use.stdout, use.stderr], [0, 'default\n', 'Current context is now "default"\n']);
    const bad = wharf(root, ['context', 'use', 'prod']);
    assert.deepEqual([bad.code, bad.stderr], [1, 'context "prod" does not exist\n']);
    assert.equal(wharfOk(root, ['context', 'show']), 'default\n');
  });

  test('completion bash completes commands, subcommands, flags, image and container names', (t) => {
    if (spawnSync('bash', ['-c', 'true']).status !== 0) return t.skip('bash is not installed');
    const script = join(dir, 'wharf.bash');
    writeFileSync(script, wharfOk(root, ['completion', 'bash']));
    // `wharf` on PATH for the script's own look-ups: this test's data root.
    writeFileSync(join(dir, 'wharf'), `#!/bin/sh\nexec ${WHARF_BIN} --root ${root} "$@"\n`);
    chmodSync(join(dir, 'wharf'), 0o755);
    const complete = (...words: string[]) => {
      const r = spawnSync('bash', ['-c', `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _wharf; printf '%s\\n' "\${COMPREPLY[@]}"`], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
      });
      return r.stdout.split('\n').filter(Boolean);
    };
    assert.ok(complete('wharf', 'ru').includes('run'));
    assert.deepEqual(complete('wharf', 'image', 'pr'), ['prune']);
    assert.ok(complete('wharf', 'run', '--pu').includes('--pull'));
    assert.ok(complete('wharf', 'rmi', 'cm').includes('cmds:1'));
    assert.ok(complete('wharf', 'stop', 'kee').includes('keeper'));
    for (const shell of ['zsh', 'fish']) assert.match(wharfOk(root, ['completion', shell]), shell === 'zsh' ? /^#compdef wharf/ : /complete -c wharf/);
    assert.equal(wharf(root, ['completion', 'tcsh']).code, 1);
  });
});
