/**
 * The command line as docker's (CLI 20.10, the one shipped with dockerd 20.10): usage errors with
 * cobra's sentences, `See '... --help'.` and exit codes (1 for arguments, 125 for flags), help
 * pages with Usage / Options, and the global options (`--version`, `-l`, `--config`, `-H`,
 * `--context`). Each usage error is compared with /usr/bin/docker's, "docker" read as "wharf".
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { removeDir, tempDir, wharf } from '../helpers/wharf.js';

const DOCKER_20 = '/usr/bin/docker';

/** Cases whose whole stderr and exit code must be docker's. */
const SAME: string[][] = [
  ['foo'],
  ['run'],
  ['run', '--bogus', 'x'],
  ['run', '-z', 'x'],
  ['run', '--name'],
  ['images', 'a', 'b'],
  ['rmi'],
  ['rm'],
  ['ps', 'x'],
  ['tag', 'a'],
  ['pull'],
  ['logs'],
  ['--bogus', 'ps'],
  ['-l', 'bogus', 'ps'],
];

describe('usage errors, help and global options as docker prints them', () => {
  const root = tempDir();

  test('each usage error: docker 20.10 sentence, See line, usage line, exit code', () => {
    const expect: Record<string, [number, string]> = {
      foo: [1, "wharf: 'foo' is not a wharf command.\nSee 'wharf --help'\n"],
      run: [1, '"wharf run" requires at least 1 argument.\nSee \'wharf run --help\'.\n\nUsage:  wharf run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun a command in a new container\n'],
      'run --bogus x': [125, "unknown flag: --bogus\nSee 'wharf run --help'.\n"],
      'run -z x': [125, "unknown shorthand flag: 'z' in -z\nSee 'wharf run --help'.\n"],
      'run --name': [125, "flag needs an argument: --name\nSee 'wharf run --help'.\n"],
      'ps x': [1, '"wharf ps" accepts no arguments.\nSee \'wharf ps --help\'.\n\nUsage:  wharf ps [OPTIONS]\n\nList containers\n'],
      'tag a': [1, '"wharf tag" requires exactly 2 arguments.\nSee \'wharf tag --help\'.\n\nUsage:  wharf tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\nCreate a tag TARGET_IMAGE that refers to SOURCE_IMAGE\n'],
      '--bogus ps': [125, "unknown flag: --bogus\nSee 'wharf --help'.\n"],
      '-l bogus ps': [1, 'Unable to parse logging level: bogus\n'],
    };
    for (const [args, [code, stderr]] of Object.entries(expect)) {
      const r = wharf(root, args.split(' '));
      assert.deepEqual([r.code, r.stderr, r.stdout], [code, stderr, ''], args);
    }
  });

  test('the same errors as /usr/bin/docker (20.10) prints them: first two lines and exit code', (t) => {
    if (!existsSync(DOCKER_20)) return t.skip(`${DOCKER_20} (docker CLI 20.10) is not installed`);
    const cfg = tempDir();
    try {
      for (const args of SAME) {
        // An unreachable daemon: usage errors come before any connection.
        const d = spawnSync(DOCKER_20, args, { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent.sock', DOCKER_CONFIG: cfg } });
        const w = wharf(root, args);
        const firstTwo = (s: string) => s.split('\n').slice(0, 2).join('\n');
        assert.deepEqual([w.code, firstTwo(w.stderr)], [d.status, firstTwo(d.stderr).replaceAll('docker', 'wharf')], args.join(' '));
      }
    } finally {
      removeDir(cfg);
    }
  });

  test('help pages: Usage, description, Options sorted with pflag columns; a group alone prints its help, exit 0', () => {
    const help = wharf(root, ['logs', '--help']);
    assert.equal(help.code, 0);
    const lines = help.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 6), ['', 'Usage:  wharf logs [OPTIONS] CONTAINER', '', 'Fetch the logs of a container', '', 'Options:']);
    assert.ok(lines.includes('  -f, --follow         Follow log output'), help.stdout);
    const group = wharf(root, ['image']);
    assert.equal(group.code, 0);
    assert.match(group.stderr, /^\nUsage:  wharf image COMMAND\n\nManage images\n\nCommands:\n/);
  });

  test('global options: --version/-v, --config as DOCKER_CONFIG, --context default, -H refused clearly', () => {
    for (const v of ['--version', '-v']) assert.deepEqual([wharf(root, [v]).code, wharf(root, [v]).stdout], [0, 'wharf version 0.1.0\n']);
    const cfg = tempDir();
    try {
      mkdirSync(cfg, { recursive: true });
      writeFileSync(join(cfg, 'config.json'), JSON.stringify({ auths: { '127.0.0.1:1': { auth: Buffer.from('u:p').toString('base64') } } }));
      // logout reads and rewrites the config dir it is given: the entry goes.
      const out = wharf(root, ['--config', cfg, 'logout', '127.0.0.1:1']);
      assert.equal(out.code, 0, out.stderr);
      assert.doesNotMatch(spawnSync('cat', [join(cfg, 'config.json')], { encoding: 'utf8' }).stdout, /127\.0\.0\.1:1/);
    } finally {
      removeDir(cfg);
    }
    assert.equal(wharf(root, ['--context', 'default', 'ps', '-q']).code, 0);
    assert.deepEqual([wharf(root, ['--context', 'x', 'ps']).code, wharf(root, ['--context', 'x', 'ps']).stderr], [1, 'unable to resolve docker endpoint: context "x" does not exist\n']);
    const h = wharf(root, ['-H', 'tcp://127.0.0.1:1', 'ps']);
    assert.equal(h.code, 125);
    assert.match(h.stderr, /^-H\/--host tcp:\/\/127\.0\.0\.1:1: wharf .*no `wharf serve`\)\n$/);
    assert.equal(wharf(root, ['-D', 'images', '-q']).code, 0);
    removeDir(root);
  });
});
