/**
 * What docker 20.10 prints, and where, when container commands are refused: exec failures
 * (on stdout, CR LF, exit 126, before runc is asked), kill and rename of what is not there,
 * attach to a stopped container, the order of inspect output and errors, prune filters and
 * bad time values. Each expected text was taken from a real dockerd.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Fixture } from './helpers/fixture.js';

describe('containers: docker messages for refused commands', () => {
  const fx = new Fixture();
  let running = '';
  before(() => {
    const img = fx.busybox();
    running = fx.ok(['run', '-d', '--name', 'up', '--network', 'none', img, 'sleep', '300']).trim();
    fx.wharf(['run', '--name', 'down', '--network', 'none', '-l', 'keep=yes', img, 'sh', '-c', 'exit 3']);
    fx.wharf(['run', '--name', 'other', '--network', 'none', img, 'true']);
  });
  after(() => fx.cleanup());

  test('exec: a command the runtime would refuse fails on stdout with exit 126; a command that runs keeps its exit code', () => {
    const oci = (why: string) => `OCI runtime exec failed: exec failed: unable to start container process: ${why}: unknown\r\n`;
    const cases: [string[], string][] = [
      [['up', 'nosuchcmd'], oci('exec: "nosuchcmd": executable file not found in $PATH')],
      [['up', '/etc/passwd'], oci('exec: "/etc/passwd": permission denied')],
      [['up', '/nosuch'], oci('exec: "/nosuch": stat /nosuch: no such file or directory')],
      [['-w', '/nosuchdir', 'up', 'true'], oci('chdir to cwd ("/nosuchdir") set in config.json failed: no such file or directory')],
      [['-u', 'nobody2', 'up', 'true'], 'unable to find user nobody2: no matching entries in passwd file\r\n'],
    ];
    for (const [args, stdout] of cases) {
      const r = fx.wharf(['exec', ...args]);
      assert.deepEqual([r.code, r.stdout, r.stderr], [126, stdout, ''], args.join(' '));
    }
    assert.equal(fx.wharf(['exec', 'up', 'sh', '-c', 'exit 7']).code, 7);
    assert.equal(fx.ok(['exec', '-w', '/etc', 'up', 'cat', 'hostname']), `${running.slice(0, 12)}\n`);
  });

  test('kill, rename and attach of what is missing, taken or stopped', () => {
    let r = fx.wharf(['kill', 'nosuch']);
    assert.deepEqual([r.code, r.stderr], [1, 'Error response from daemon: Cannot kill container: nosuch: No such container: nosuch\n']);
    r = fx.wharf(['rename', 'down', 'up']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error response from daemon: Error when allocating new name: Conflict\. The container name "\/up" is already in use by container "[0-9a-f]{64}"\. You have to remove \(or rename\) that container to be able to reuse that name\.\nError: failed to rename container named down\n$/);
    r = fx.wharf(['rename', 'nosuch', 'x']);
    assert.deepEqual([r.code, r.stderr], [1, 'Error response from daemon: No such container: nosuch\nError: failed to rename container named nosuch\n']);
    r = fx.wharf(['attach', 'down']);
    assert.deepEqual([r.code, r.stderr], [1, 'You cannot attach to a stopped container, start it first\n']);
  });

  test('inspect output comes before the errors; logs rejects a bad time itself', () => {
    const r = fx.wharf(['volume', 'inspect', 'nosuch']);
    assert.deepEqual([r.code, r.stdout, r.stderr], [1, '[]\n', 'Error response from daemon: get nosuch: no such volume\n']);
    const l = fx.wharf(['logs', '--since', 'abc', 'down']);
    assert.deepEqual([l.code, l.stderr], [1, 'invalid value for "since": failed to parse value as time or duration: "abc"\n']);
  });

  test('container prune: until, label and label! filters; unknown keys and bad times refused', () => {
    let r = fx.wharf(['container', 'prune', '-f', '--filter', 'foo=bar']);
    assert.deepEqual([r.code, r.stderr], [1, "Error response from daemon: Invalid filter 'foo'\n"]);
    r = fx.wharf(['container', 'prune', '-f', '--filter', 'until=abc']);
    assert.deepEqual([r.code, r.stderr], [1, 'Error response from daemon: failed to parse value as time or duration: "abc"\n']);
    // Nothing was created an hour ago.
    assert.equal(fx.ok(['container', 'prune', '-f', '--filter', 'until=1h']), 'Total reclaimed space: 0B\n');
    const other = fx.ok(['inspect', '-f', '{{.Id}}', 'other']).trim();
    assert.equal(fx.ok(['container', 'prune', '-f', '--filter', 'label!=keep=yes']), `Deleted Containers:\n${other}\n\nTotal reclaimed space: 0B\n`);
    assert.deepEqual(fx.ok(['ps', '-a', '--format', '{{.Names}}']).trim().split('\n').sort(), ['down', 'up']);
    assert.match(fx.ok(['container', 'prune', '-f', '--filter', 'label=keep']), /^Deleted Containers:\n[0-9a-f]{64}\n\n/);
    assert.equal(fx.ok(['ps', '-a', '--format', '{{.Names}}']), 'up\n');
  });
});
