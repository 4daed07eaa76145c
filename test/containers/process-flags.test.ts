/**
 * Run flags that shape the container's process and filesystem, end to end, with what
 * docker 20.10 shows for the same flags: --cap-add/--cap-drop (CapEff), --read-only,
 * --tmpfs, --ulimit, --dns/--dns-search/--dns-option, --shm-size, --init and --mount;
 * inspect's HostConfig.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
    assert.match(r.stderr, /^invalid argument "foo=1" for "--ulimit" flag: invalid ulimit type: foo\nSee 'wharf run --help'\.\n$/);
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

  test('--mount: bind (read-only), named and anonymous volumes and tmpfs, recorded as docker records them', () => {
    const host = join(fx.dir, 'mnt');
    mkdirSync(host);
    writeFileSync(join(host, 'f'), 'hi\n');
    const mounts = ['--mount', `type=bind,src=${host},dst=/d,ro`, '--mount', 'type=volume,source=mv,target=/v', '--mount', 'type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1770', '--mount', 'target=/anon'];
    const script = 'cat /d/f; touch /d/x 2>/dev/null || echo d-ro; echo ok > /v/y && cat /v/y; grep " /t " /proc/mounts | cut -d" " -f4';
    assert.equal(fx.ok(['run', '--rm', '--network', 'none', ...mounts, fx.img, 'sh', '-c', script]), 'hi\nd-ro\nok\nrw,nosuid,nodev,noexec,relatime,size=1024k,mode=1770\n');
    const id = fx.ok(['create', ...mounts, fx.img, 'true']).trim();
    const info = JSON.parse(fx.ok(['inspect', id]))[0];
    assert.deepEqual(info.HostConfig.Mounts, [
      { Type: 'bind', Source: host, Target: '/d', ReadOnly: true },
      { Type: 'volume', Source: 'mv', Target: '/v' },
      { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 } },
      { Type: 'volume', Target: '/anon' },
    ]);
    assert.deepEqual([info.HostConfig.Binds, info.Config.Volumes], [null, null]);
    assert.deepEqual(info.Mounts.map((m: { Type: string; Destination: string; Mode: string; RW: boolean }) => [m.Type, m.Destination, m.Mode, m.RW]), [
      ['bind', '/d', '', false], ['volume', '/v', 'z', true], ['tmpfs', '/t', '', true], ['volume', '/anon', 'z', true],
    ]);
    fx.ok(['rm', '-v', id]);
    const r = fx.wharf(['run', '--rm', '--mount', 'type=bind,source=/nonexist,target=/x', fx.img, 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /^wharf: Error response from daemon: invalid mount config for type "bind": bind source path does not exist: \/nonexist\n/);
  });
});

