/**
 * The real docker CLI against `wharf serve`: each command a user types, with what it prints
 * and its exit code. Where a reference dockerd is given (WHARF_TEST_DOCKER_HOST), the same
 * CLI runs the same command there on the same busybox image and the outputs must match
 * (container IDs and times normalized); without one, the expected text is asserted directly.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busybox } from '../helpers/images.js';
import { docker, DOCKER_CLI, serve, type CliResult, type Served } from './helpers.js';

const REF = process.env.WHARF_TEST_DOCKER_HOST;
// Quarantined: in one of three full CI runs this file hung until the 10-minute test timeout (cause not yet found).
const quarantined = process.env.WHARF_TEST_API_CLI === '1' ? false : 'hung once in three CI runs, cause unknown: WHARF_TEST_API_CLI=1 runs it';
const skip = !DOCKER_CLI ? 'no docker CLI on this machine' : process.getuid?.() !== 0 ? 'wharf serve runs containers as root' : quarantined;

let s: Served;
let work: string;
const IMG = 'api-test-bb:1';

/** IDs (full and short) and relative times out of the way. */
const norm = (t: string) => t.replace(/\b[0-9a-f]{64}\b/g, '<ID>').replace(/\b[0-9a-f]{12}\b/g, '<SHORT>').replace(/(Less than a second|About a minute|\d+ seconds?|\d+ minutes?) ago/g, '<AGO>');

function both(args: string[], o: { input?: string } = {}): { wharf: CliResult; ref?: CliResult } {
  const wharf = docker(s.host, args, o);
  const ref = REF ? docker(REF, args, o) : undefined;
  return { wharf, ref };
}

/** Run on wharf (and the reference): same exit code and output; returns wharf's. */
function same(args: string[], o: { input?: string; expectCode?: number } = {}): CliResult {
  const { wharf, ref } = both(args, o);
  if (o.expectCode !== undefined) assert.equal(wharf.code, o.expectCode, `docker ${args.join(' ')}: ${wharf.stderr}`);
  if (ref) {
    assert.equal(wharf.code, ref.code, `exit code of docker ${args.join(' ')} (wharf: ${wharf.stderr}; dockerd: ${ref.stderr})`);
    assert.equal(norm(wharf.stdout), norm(ref.stdout), `stdout of docker ${args.join(' ')}`);
    assert.equal(norm(wharf.stderr), norm(ref.stderr), `stderr of docker ${args.join(' ')}`);
  }
  return wharf;
}

const ok = (args: string[], o: { input?: string } = {}) => {
  const r = docker(s.host, args, o);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  if (REF) assert.equal(docker(REF, args, o).code, 0, `dockerd: docker ${args.join(' ')}`);
  return r.stdout;
};

describe('docker CLI against wharf serve', { skip }, () => {
  before(async () => {
    s = await serve();
    work = mkdtempSync(join(tmpdir(), 'wharf-api-cli-'));
    if (REF) {
      docker(REF, ['rm', '-f', 'api-t1', 'api-t2', 'api-t3', 'api-t3b']);
      assert.equal(docker(REF, ['import', await busybox(), IMG]).code, 0);
    }
  });
  after(async () => {
    if (REF) {
      docker(REF, ['rm', '-f', 'api-t1', 'api-t2', 'api-t3', 'api-t3b']);
      docker(REF, ['rmi', IMG, 'api-test-commit:1', 'api-test-tag:2']);
    }
    await s?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('version names the API level both sides settle on', () => {
    assert.equal(docker(s.host, ['version', '--format', '{{.Server.APIVersion}}']).stdout.trim(), '1.41');
  });

  test('run: output, exit codes, stdin, --rm', () => {
    assert.equal(same(['run', '--rm', IMG, 'echo', 'hi'], { expectCode: 0 }).stdout, 'hi\n');
    const r = same(['run', '--rm', IMG, 'sh', '-c', 'echo out; sleep 0.1; echo err >&2; exit 3'], { expectCode: 3 });
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(same(['run', '--rm', '-i', IMG, 'cat'], { input: 'hello\n', expectCode: 0 }).stdout, 'hello\n');
    assert.equal(docker(s.host, ['ps', '-aq']).stdout, '');
  });

  test('errors read as the daemon gives them', () => {
    assert.equal(same(['rm', 'api-nosuch'], { expectCode: 1 }).stderr, 'Error response from daemon: No such container: api-nosuch\n');
    same(['inspect', 'api-nosuch'], { expectCode: 1 });
    same(['stop', 'api-nosuch'], { expectCode: 1 });
    same(['rmi', 'api-nosuch:1'], { expectCode: 1 });
    same(['exec', 'api-nosuch', 'true'], { expectCode: 1 });
  });

  test('detached container: ps, logs, exec, top, port, stop, start, restart, kill, wait, rm', () => {
    ok(['run', '-d', '--name', 'api-t1', '-p', '127.0.0.1::80', IMG, 'sh', '-c', 'echo started; trap "exit 7" TERM; while :; do sleep 0.1; done']);
    assert.match(same(['ps', '--filter', 'name=api-t1', '--format', '{{.Names}} {{.State}} {{.Command}}']).stdout, /^api-t1 running "sh -c 'echo started/);
    for (let i = 0; i < 50 && !docker(s.host, ['logs', 'api-t1']).stdout; i++) spinWait(100);
    assert.equal(same(['logs', 'api-t1']).stdout, 'started\n');
    assert.equal(same(['exec', 'api-t1', 'sh', '-c', 'echo $0-$FOO', 'x'], { expectCode: 0 }).stdout, 'x-\n');
    assert.equal(same(['exec', '-e', 'FOO=bar', '-w', '/tmp', '-u', 'nobody', 'api-t1', 'sh', '-c', 'echo $FOO $(pwd) $(id -u)']).stdout, 'bar /tmp 65534\n');
    same(['exec', 'api-t1', 'sh', '-c', 'exit 5'], { expectCode: 5 });
    assert.match(docker(s.host, ['top', 'api-t1']).stdout, /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD\n/);
    assert.match(docker(s.host, ['port', 'api-t1', '80']).stdout, /^127\.0\.0\.1:\d+\n$/);
    same(['stop', 'api-t1'], { expectCode: 0 });
    assert.equal(same(['wait', 'api-t1']).stdout, '7\n');
    same(['start', 'api-t1'], { expectCode: 0 });
    same(['restart', '-t', '1', 'api-t1'], { expectCode: 0 });
    same(['kill', 'api-t1'], { expectCode: 0 });
    assert.equal(same(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'api-t1']).stdout, 'exited 137\n');
    same(['kill', 'api-t1'], { expectCode: 1 });
    same(['rm', 'api-t1'], { expectCode: 0 });
  });

  test('filesystem: cp both ways, diff, export, commit', () => {
    ok(['run', '-d', '--name', 'api-t2', IMG, 'sleep', '60']);
    const src = join(work, 'in.txt');
    writeFileSync(src, 'to the container\n');
    same(['cp', src, 'api-t2:/in.txt'], { expectCode: 0 });
    assert.equal(same(['exec', 'api-t2', 'cat', '/in.txt']).stdout, 'to the container\n');
    const out = join(work, `out-${process.pid}`);
    ok(['cp', 'api-t2:/in.txt', out]);
    assert.equal(readFileSync(out, 'utf8'), 'to the container\n');
    assert.equal(same(['diff', 'api-t2']).stdout, 'A /in.txt\n');
    assert.match(docker(s.host, ['export', 'api-t2']).stdout, /in\.txt/);
    same(['cp', 'api-t2:/nonexistent', out], { expectCode: 1 });
    ok(['commit', 'api-t2', 'api-test-commit:1']);
    assert.equal(same(['run', '--rm', 'api-test-commit:1', 'cat', '/in.txt']).stdout, 'to the container\n');
    ok(['rm', '-f', 'api-t2']);
  });

  test('pause, unpause, rename', () => {
    ok(['run', '-d', '--name', 'api-t3', IMG, 'sleep', '60']);
    same(['pause', 'api-t3'], { expectCode: 0 });
    assert.equal(same(['inspect', '-f', '{{.State.Status}}', 'api-t3']).stdout, 'paused\n');
    same(['unpause', 'api-t3'], { expectCode: 0 });
    same(['rename', 'api-t3', 'api-t3b'], { expectCode: 0 });
    assert.equal(same(['ps', '--filter', 'name=api-t3b', '--format', '{{.Names}}']).stdout, 'api-t3b\n');
    ok(['rm', '-f', 'api-t3b']);
  });

  test('images: list, tag, inspect, history, save and load, rmi', () => {
    same(['tag', IMG, 'api-test-tag:2'], { expectCode: 0 });
    assert.equal(same(['images', 'api-test-tag', '--format', '{{.Repository}}:{{.Tag}} {{.Size}}']).stdout, 'api-test-tag:2 1.98MB\n');
    assert.equal(same(['image', 'inspect', '-f', '{{.Os}} {{.Architecture}} {{.RepoTags}}', 'api-test-tag:2']).stdout, 'linux amd64 [api-test-bb:1 api-test-tag:2]\n');
    assert.match(docker(s.host, ['history', 'api-test-tag:2']).stdout, /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT\n/);
    const tar = join(work, 'saved.tar');
    ok(['save', '-o', tar, 'api-test-tag:2']);
    assert.equal(same(['rmi', 'api-test-tag:2']).stdout, 'Untagged: api-test-tag:2\n');
    assert.equal(docker(s.host, ['load', '-i', tar]).stdout, 'Loaded image: api-test-tag:2\n');
    assert.equal(docker(s.host, ['images', '-q', 'api-test-tag:2']).stdout.trim().length, 12);
  });

  test('volumes and networks', () => {
    assert.equal(same(['volume', 'create', 'api-test-vol']).stdout, 'api-test-vol\n');
    assert.equal(same(['run', '--rm', '-v', 'api-test-vol:/data', IMG, 'sh', '-c', 'echo kept > /data/f']).code, 0);
    assert.equal(same(['run', '--rm', '-v', 'api-test-vol:/data', IMG, 'cat', '/data/f']).stdout, 'kept\n');
    assert.match(docker(s.host, ['volume', 'ls', '-q']).stdout, /^api-test-vol$/m);
    assert.equal(same(['volume', 'rm', 'api-test-vol']).stdout, 'api-test-vol\n');
    same(['volume', 'inspect', 'api-test-vol'], { expectCode: 1 });
    assert.deepEqual(docker(s.host, ['network', 'ls', '--format', '{{.Name}} {{.Driver}}']).stdout.trim().split('\n').sort(), ['bridge bridge', 'host host', 'none null']);
    assert.equal(docker(s.host, ['network', 'inspect', '-f', '{{.Name}}', 'bridge']).stdout, 'bridge\n');
  });

  test('build (classic builder): build args, labels, a failed RUN exits with its code', () => {
    const ctx = join(work, 'ctx');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${IMG}\nARG X=def\nRUN echo built-$X > /b.txt\nLABEL k=v\nCMD ["cat", "/b.txt"]\n`);
    const built = docker(s.host, ['build', '-t', 'api-test-built:1', '--build-arg', 'X=yes', ctx], { env: { DOCKER_BUILDKIT: '0' } });
    assert.equal(built.code, 0, built.stderr);
    assert.match(built.stdout, /Step 3\/5 : RUN echo built-\$X > \/b\.txt\n/);
    assert.match(built.stdout, /Successfully tagged api-test-built:1\n/);
    assert.equal(docker(s.host, ['run', '--rm', 'api-test-built:1']).stdout, 'built-yes\n');
    assert.equal(docker(s.host, ['image', 'inspect', '-f', '{{.Config.Labels.k}}', 'api-test-built:1']).stdout, 'v\n');
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${IMG}\nRUN exit 7\n`);
    const failed = docker(s.host, ['build', ctx], { env: { DOCKER_BUILDKIT: '0' } });
    assert.equal(failed.code, 7);
    assert.match(failed.stderr, /The command '\/bin\/sh -c exit 7' returned a non-zero code: 7/);
  });

  test('stats --no-stream and system df', () => {
    ok(['run', '-d', '--name', 'api-t1', IMG, 'sleep', '60']);
    assert.match(docker(s.host, ['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}}', 'api-t1']).stdout, /^api-t1 1\n$/);
    assert.deepEqual(docker(s.host, ['system', 'df', '--format', '{{.Type}}']).stdout.trim().split('\n'), ['Images', 'Containers', 'Local Volumes', 'Build Cache']);
    ok(['rm', '-f', 'api-t1']);
  });
});

function spinWait(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
