/**
 * The seccomp filter as docker's default profile behaves for a container with the default
 * capabilities (checked against docker 20.10: `unshare -U` and `unshare -n` fail with EPERM),
 * `--security-opt seccomp=unconfined` lifting it (a new user namespace then works; a network
 * namespace still needs CAP_SYS_ADMIN), and `no-new-privileges`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { busyboxFixture } from './helpers/fixture.js';

describe('containers: seccomp and --security-opt', () => {
  const fx = busyboxFixture();

  const probe = 'busybox unshare -U true; echo user=$?; busybox unshare -n true; echo net=$?; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status | tr -s "\\t" " "';

  test('by default namespaces cannot be made inside a container, and exec is filtered too', () => {
    const r = fx.wharf(['run', '--rm', '--network', 'none', fx.img, 'sh', '-c', probe]);
    assert.equal(r.stdout, 'user=1\nnet=1\nNoNewPrivs: 0\nSeccomp: 2\n');
    assert.match(r.stderr, /unshare\(0x10000000\): Operation not permitted/);
    const id = fx.ok(['run', '-d', '--network', 'none', fx.img, 'sleep', '60']).trim();
    assert.equal(fx.wharf(['exec', id, 'busybox', 'unshare', '-U', 'true']).code, 1);
    fx.ok(['rm', '-f', id]);
  });

  test('seccomp=unconfined lifts the filter; no-new-privileges sets the flag; inspect keeps the options', () => {
    assert.equal(fx.ok(['run', '--rm', '--network', 'none', '--security-opt', 'seccomp=unconfined', '--security-opt', 'no-new-privileges', fx.img, 'sh', '-c', probe]), 'user=0\nnet=1\nNoNewPrivs: 1\nSeccomp: 0\n');
    const id = fx.ok(['create', '--security-opt', 'seccomp=unconfined', fx.img, 'true']).trim();
    assert.equal(fx.ok(['inspect', '-f', '{{json .HostConfig.SecurityOpt}}', id]), '["seccomp=unconfined"]\n');
    fx.ok(['rm', id]);
    const r = fx.wharf(['run', '--rm', '--security-opt', 'foo', fx.img, 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /^wharf: Invalid --security-opt: "foo"\n/);
  });
});
