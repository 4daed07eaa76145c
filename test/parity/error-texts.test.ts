/**
 * Errors as docker prints them: a table of commands on things that do not exist (images,
 * containers, volumes, a closed registry port) and bad flag values, each with wharf's expected
 * stderr and exit code; when the reference dockerd is there, a real docker CLI must print the same
 * for each, "docker" read as "wharf". The two CLIs here differ on a few rows (20.10 looks some
 * objects up itself, 28.2 leaves it to the daemon); each row names the one wharf follows.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { removeDir, tempDir, wharf } from '../helpers/wharf.js';

const daemon = (s: string) => `Error response from daemon: ${s}\n`;
type Cli = 'both' | '20.10' | '28.2';
const TABLE: [string, number, string, Cli?][] = [
  ['image inspect nosuch', 1, 'Error: No such image: nosuch\n', '20.10'],
  ['rmi nosuch', 1, 'Error: No such image: nosuch\n', '20.10'],
  ['inspect nosuch', 1, 'Error: No such object: nosuch\n'],
  ['rm nosuch', 1, daemon('No such container: nosuch'), '28.2'],
  ['stop nosuch', 1, daemon('No such container: nosuch')],
  ['start nosuch', 1, daemon('No such container: nosuch') + 'Error: failed to start containers: nosuch\n'],
  ['logs nosuch', 1, daemon('No such container: nosuch'), '28.2'],
  ['tag nosuch x', 1, daemon('No such image: nosuch:latest')],
  ['history nosuch', 1, daemon('No such image: nosuch:latest')],
  ['save nosuch', 1, daemon('No such image: nosuch')],
  ['pull 127.0.0.1:1/x', 1, daemon('Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused')],
  ['volume rm nosuch', 1, daemon('get nosuch: no such volume'), '28.2'],
  ['create --pull never nosuch', 1, daemon('No such image: nosuch:latest')],
  ['exec nosuch true', 1, daemon('No such container: nosuch'), '28.2'],
  ['port nosuch', 1, 'Error: No such container: nosuch\n', '20.10'],
  ['rename nosuch y', 1, daemon('No such container: nosuch') + 'Error: failed to rename container named nosuch\n'],
  ['wait nosuch', 1, daemon('No such container: nosuch')],
  ['pause nosuch', 1, daemon('No such container: nosuch')],
  ['kill nosuch', 1, daemon('Cannot kill container: nosuch: No such container: nosuch')],
  ['top nosuch', 1, daemon('No such container: nosuch')],
  ['diff nosuch', 1, daemon('No such container: nosuch')],
  ['export nosuch', 1, daemon('No such container: nosuch')],
  ['commit nosuch', 1, daemon('No such container: nosuch')],
  ['run --memory abc nosuch', 125, 'invalid argument "abc" for "-m, --memory" flag: invalid size: \'abc\'\nSee \'wharf run --help\'.\n', '20.10'],
  ['run --pids-limit abc nosuch', 125, 'invalid argument "abc" for "--pids-limit" flag: strconv.ParseInt: parsing "abc": invalid syntax\nSee \'wharf run --help\'.\n', '20.10'],
  ['tag nosuch BAD', 1, 'Error parsing reference: "BAD" is not a valid repository/tag: invalid reference format: repository name must be lowercase\n', '20.10'],
];

describe('error texts: docker\'s, command by command', () => {
  test('each command prints docker\'s sentence with docker\'s exit code', () => {
    const root = tempDir();
    try {
      for (const [args, code, stderr] of TABLE) {
        const r = wharf(root, args.split(' '));
        assert.deepEqual([r.code, r.stderr], [code, stderr], args);
      }
    } finally {
      removeDir(root);
    }
  });

  test('the docker CLI each row follows, against the reference dockerd, prints the same', (t) => {
    const host = process.env.WHARF_TEST_DOCKER_HOST;
    if (!host) return t.skip('WHARF_TEST_DOCKER_HOST is not set (no reference dockerd)');
    const cli: Record<Exclude<Cli, 'both'>, string> = { '20.10': '/usr/bin/docker', '28.2': '/usr/local/bin/docker' };
    if (!existsSync(cli['20.10']) || !existsSync(cli['28.2'])) return t.skip('docker CLIs 20.10 (/usr/bin) and 28.2 (/usr/local/bin) are not both installed');
    const cfg = tempDir();
    try {
      for (const [args, code, stderr, which = 'both'] of TABLE) {
        const bins: string[] = which === 'both' ? Object.values(cli) : [cli[which]];
        for (const bin of bins) {
          const d: SpawnSyncReturns<string> = spawnSync(bin, args.split(' '), { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: host, DOCKER_CONFIG: cfg }, timeout: 60000 });
          // 28.2 adds its usage block to flag errors: compare the sentence.
          const out: string = d.stderr;
          const got = which === '20.10' || !out.includes('\nUsage:') ? out : out.split('\n')[0] + '\n';
          assert.deepEqual([d.status, got.replaceAll('docker', 'wharf')], [code, stderr], `${bin} ${args}`);
        }
      }
    } finally {
      removeDir(cfg);
    }
  });
});
