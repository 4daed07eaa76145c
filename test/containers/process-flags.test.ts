/**
 * Run flags that shape the container's process and filesystem, end to end, with what
 * docker 20.10 shows for the same flags: --cap-add/--cap-drop (CapEff), --read-only,
 * --tmpfs, --ulimit, --dns/--dns-search/--dns-option and --shm-size; inspect's HostConfig.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { busyboxFixture } from './helpers/fixture.js';

describe('containers: process and filesystem flags', () => {
  const fx = busyboxFixture();

  const flags = ['--read-only', '--tmpfs', '/run', '--tmpfs', '/tmp2:size=1m,mode=700', '--ulimit', 'nofile=1024:2048', '--ulimit', 'nproc=100',
    '--dns', '1.1.1.1', '--dns-search', 'example.com', '--dns-option', 'ndots:2', '--shm-size', '32m', '--cap-add', 'net_admin', '--cap-drop', 'CHOWN'];

  test('the container sees what docker would give it', () => {
    const script = 'cat /etc/resolv.conf; grep -E " (/run|/tmp2|/dev/shm) " /proc/mounts | cut -d" " -f2,4; ulimit -n; ulimit -Hn; touch /x 2>/dev/null; echo touch=$?; touch /run/ok && echo run-writable; grep CapEff /proc/self/status';
    assert.equal(
      fx.ok(['run', '--rm', '--network', 'none', ...flags, fx.img, 'sh', '-c', script]),
      [
        'search example.com', 'nameserver 1.1.1.1', 'options ndots:2',
        '/dev/shm rw,nosuid,nodev,noexec,relatime,size=32768k', '/run rw,nosuid,nodev,noexec,relatime', '/tmp2 rw,nosuid,nodev,noexec,relatime,size=1024k,mode=700',
        '1024', '2048', 'touch=1', 'run-writable', 'CapEff:\t00000000a80435fa', '',
      ].join('\n'),
    );
    assert.equal(fx.ok(['run', '--rm', '--network', 'none', '--cap-drop', 'ALL', '--cap-add', 'CHOWN', fx.img, 'grep', 'CapEff', '/proc/self/status']), 'CapEff:\t0000000000000001\n');
  });

  test('inspect keeps them in HostConfig; bad values get docker\'s messages', () => {
    const id = fx.ok(['create', ...flags, fx.img, 'true']).trim();
    const h = JSON.parse(fx.ok(['inspect', '-f', '{{json .HostConfig}}', id]));
    assert.deepEqual(
      [h.CapAdd, h.CapDrop, h.ReadonlyRootfs, h.Tmpfs, h.Ulimits, h.Dns, h.DnsSearch, h.DnsOptions, h.ShmSize],
      [['CAP_NET_ADMIN'], ['CAP_CHOWN'], true, { '/run': '', '/tmp2': 'size=1m,mode=700' }, [{ Name: 'nofile', Hard: 2048, Soft: 1024 }, { Name: 'nproc', Hard: 100, Soft: 100 }], ['1.1.1.1'], ['example.com'], ['ndots:2'], 33554432],
    );
    fx.ok(['rm', id]);
    let r = fx.wharf(['run', '--rm', '--cap-add', 'FOO', fx.img, 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /^wharf: Error response from daemon: invalid CapAdd: unknown capability: "CAP_FOO"\n/);
    r = fx.wharf(['run', '--rm', '--ulimit', 'foo=1', fx.img, 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /^wharf: invalid argument "foo=1" for "--ulimit" flag: invalid ulimit type: foo\n/);
    assert.deepEqual(fx.leaks(), []);
  });

  test('--init: tini is PID 1 as /sbin/docker-init, passes the exit code on and forwards the stop signal', () => {
    const pid1 = fx.ok(['run', '--rm', '--network', 'none', '--init', fx.img, 'sh', '-c', 'tr "\\0" " " < /proc/1/cmdline']);
    assert.equal(pid1, '/sbin/docker-init -- sh -c tr "\\0" " " < /proc/1/cmdline ');
    assert.equal(fx.wharf(['run', '--rm', '--network', 'none', '--init', fx.img, 'sh', '-c', 'exit 5']).code, 5);
    // sleep as PID 1 would ignore SIGTERM until the timeout's SIGKILL (137); under tini it gets it.
    const id = fx.ok(['run', '-d', '--network', 'none', '--init', fx.img, 'sleep', '300']).trim();
    fx.ok(['stop', '-t', '20', id]);
    assert.equal(fx.ok(['inspect', '-f', '{{.State.ExitCode}} {{.HostConfig.Init}}', id]), '143 true\n');
    fx.ok(['rm', id]);
  });
});
