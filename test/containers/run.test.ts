/**
 * run/create/start/stop/rm/ps/logs/inspect end to end on a busybox image, with Docker's
 * messages and exit codes for bad input, and a host-leak check after every failing case.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { busyboxFixture } from './helpers/fixture.js';

describe('containers: run and lifecycle', () => {
  const fx = busyboxFixture();

  test('run prints output, returns the exit code, keeps logs', () => {
    const r = fx.wharf(['run', '--network', 'none', '--name', 'r1', fx.img, 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(fx.ok(['logs', 'r1']), 'out\n');
    const st = JSON.parse(fx.ok(['container', 'inspect', 'r1']))[0];
    assert.equal(st.State.Status, 'exited');
    assert.equal(st.State.ExitCode, 3);
    assert.equal(st.Name, '/r1');
    assert.equal(st.Config.Hostname, st.Id.slice(0, 12));
    assert.match(st.GraphDriver.Data.LowerDir, /init:.*layers\/[0-9a-f]{64}\/diff$/);
    assert.deepEqual(fx.leaks(), []);
  });

  test('hostname, env, workdir and user come from flags and the image', () => {
    const out = fx.ok(['run', '--rm', '--network', 'none', '-e', 'FOO=bar', '-w', '/tmp', '-u', 'nobody', '--hostname', 'hh', fx.img,
      'sh', '-c', 'echo $FOO $(pwd) $(id -u) $(hostname) $(cat /etc/hostname)']);
    assert.equal(out, 'bar /tmp 65534 hh hh\n');
  });

  test('stdin pipes through with -i', () => {
    assert.equal(fx.ok(['run', '--rm', '-i', '--network', 'none', fx.img, 'cat'], { input: 'hi\n' }), 'hi\n');
  });

  test('--rm leaves no container behind', () => {
    const before = fx.ok(['ps', '-aq']);
    fx.ok(['run', '--rm', '--network', 'none', fx.img, 'true']);
    assert.equal(fx.ok(['ps', '-aq']), before);
  });

  test('ps columns, filters and rm $(ps --filter status=exited -a -q)', () => {
    const id = fx.ok(['create', '--network', 'none', '--name', 'c1', '-l', 'k=v', fx.img, 'true']).trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    const table = fx.ok(['ps', '-a']);
    assert.match(table.split('\n')[0]!, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
    assert.match(table, new RegExp(`${id.slice(0, 12)}\\s+bb:test\\s+"true"\\s+.*ago\\s+Created\\s+c1`));
    assert.equal(fx.ok(['ps', '-a', '--filter', 'label=k=v', '-q']).trim(), id.slice(0, 12));
    assert.equal(fx.ok(['ps', '-a', '--filter', 'status=created', '--format', '{{.Names}}']).trim(), 'c1');
    assert.match(fx.ok(['ps', '-a', '--filter', 'exited=3', '--format', '{{.Names}} {{.Status}}']), /^r1 Exited \(3\) /);
    const exited = fx.ok(['ps', '--filter', 'status=exited', '-a', '-q']).trim().split('\n');
    fx.ok(['rm', ...exited]);
    assert.equal(fx.ok(['ps', '-a', '--filter', 'status=exited', '-q']), '');
    fx.ok(['rm', 'c1']);
  });

  test('detached container: ps Up, stop with SIGKILL after the timeout, rm', () => {
    const id = fx.ok(['run', '-d', '--network', 'none', '--name', 'd1', '--stop-timeout', '1', fx.img, 'sleep', '100']).trim();
    assert.match(fx.ok(['ps']), /Up (Less than a second|\d+ seconds?)\s+d1/);
    const r = fx.wharf(['rm', 'd1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`You cannot remove a running container ${id}`));
    const t0 = Date.now();
    assert.equal(fx.ok(['stop', 'd1']), 'd1\n');
    const took = Date.now() - t0;
    assert.ok(took >= 900 && took < 8000, `stop took ${took} ms`);
    assert.match(fx.ok(['ps', '-a', '--filter', 'name=d1', '--format', '{{.Status}}']), /^Exited \(137\)/);
    fx.ok(['rm', 'd1']);
    assert.deepEqual(fx.leaks(), []);
  });

  test('name in use: Docker conflict message, exit 125, nothing left', () => {
    fx.ok(['create', '--network', 'none', '--name', 'dup', fx.img]);
    const r = fx.wharf(['run', '--network', 'none', '--name', 'dup', fx.img, 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /Conflict\. The container name "\/dup" is already in use by container "[0-9a-f]{64}"\. You have to remove \(or rename\) that container to be able to reuse that name\./);
    assert.match(r.stderr, /Run 'wharf run --help' for more information/);
    assert.equal(fx.ok(['ps', '-aq', '--filter', 'name=dup']).trim().split('\n').length, 1);
    fx.ok(['rm', 'dup']);
    assert.deepEqual(fx.leaks(), []);
  });

  const badInput: [string, string[], string[], number, RegExp][] = [
    ['command not found', [], ['nosuch'], 127, /exec: "nosuch": executable file not found in \$PATH/],
    ['not executable', [], ['/notexec'], 126, /exec: "\/notexec": permission denied/],
    ['invalid port', ['-p', 'abc'], ['true'], 125, /^wharf: invalid containerPort: abc$/m],
    ['invalid volume', ['-v', ':/x'], ['true'], 125, /^wharf: invalid spec: :\/x: empty section between colons$/m],
    ['relative volume target', ['-v', '/a:b'], ['true'], 125, /invalid mount path: 'b' mount path must be absolute/],
    ['crun on this host', ['--runtime', 'crun'], ['true'], 125, /crun/],
  ];
  for (const [name, flags, cmd, code, message] of badInput) {
    test(`bad input: ${name}`, () => {
      const r = fx.wharf(['run', '--rm', '--network', 'none', ...flags, fx.img, ...cmd]);
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, message);
      assert.deepEqual(fx.leaks(), []);
      assert.equal(fx.ok(['ps', '-q']), '');
    });
  }

  test('unknown image: Unable to find image locally, then the pull error (a closed local port: no traffic leaves the host)', () => {
    const r = fx.wharf(['run', '--rm', '127.0.0.1:1/nosuchimg']);
    assert.equal(r.code, 125);
    assert.equal(
      r.stderr,
      `Unable to find image '127.0.0.1:1/nosuchimg:latest' locally\nwharf: Error response from daemon: Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused\n\nRun 'wharf run --help' for more information\n`,
    );
  });

  test('a failing start without --rm leaves the container Created with the error', () => {
    const r = fx.wharf(['run', '--network', 'none', '--name', 'bad', fx.img, 'nosuch']);
    assert.equal(r.code, 127);
    const st = JSON.parse(fx.ok(['container', 'inspect', 'bad']))[0].State;
    assert.equal(st.Status, 'created');
    assert.equal(st.ExitCode, 127);
    assert.match(st.Error, /executable file not found/);
    assert.deepEqual(fx.leaks(), []);
    fx.ok(['rm', 'bad']);
  });
});
