/**
 * Docker behaviours checked against a real dockerd: an empty volume gets the image's content at
 * its first mount (named and anonymous, not `nocopy`, never a bind mount), and `-it` without a
 * terminal on stdin is refused on the client with "the input device is not a TTY", exit 1.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxFixture } from './helpers/fixture.js';

describe('containers: volume copy-up and TTY checks', () => {
  const fx = busyboxFixture();

  test('a new named volume takes the image content once; later changes persist', () => {
    const run = (v: string, cmd: string) => fx.ok(['run', '--rm', '--network', 'none', '-v', v, fx.img, 'sh', '-c', cmd]);
    assert.match(run('cv:/etc', 'ls /etc'), /^group\nhostname\nhosts\nmtab\npasswd\nresolv.conf\n$/);
    run('cv:/etc', 'rm /etc/group; echo new > /etc/x');
    assert.equal(run('cv:/etc', 'ls /etc | grep -c group; cat /etc/x'), '0\nnew\n');
    // Mounted elsewhere it is the same volume, not a fresh copy.
    assert.match(run('cv:/data', 'ls /data'), /x\n/);
    // Anonymous volumes copy too; nocopy and bind mounts do not.
    assert.match(run('/etc', 'cat /etc/passwd'), /^root:x:0:0/);
    assert.equal(run('cv2:/etc:nocopy', 'ls /etc'), 'hostname\nhosts\nresolv.conf\n');
    const dir = mkdtempSync(join(fx.dir, 'bind-'));
    run(`${dir}:/etc`, 'true');
    assert.deepEqual(readdirSync(dir).filter((n) => !['hosts', 'hostname', 'resolv.conf'].includes(n)), []);
    fx.ok(['volume', 'rm', 'cv', 'cv2']);
  });

  test('run -it and exec -it without a terminal: the input device is not a TTY, exit 1', () => {
    const r = fx.wharf(['run', '-it', '--rm', '--network', 'none', fx.img, 'true']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'the input device is not a TTY\n');
    assert.equal(fx.ok(['ps', '-aq']), '');
    // -t alone is allowed (docker runs it with a pseudo-terminal and no stdin).
    assert.equal(fx.wharf(['run', '-t', '--rm', '--network', 'none', fx.img, 'true']).code, 0);
    const id = fx.ok(['run', '-d', '--network', 'none', fx.img, 'sleep', '60']).trim();
    const e = fx.wharf(['exec', '-it', id, 'true']);
    assert.deepEqual([e.code, e.stderr], [1, 'the input device is not a TTY\n']);
    fx.ok(['rm', '-f', id]);
    assert.deepEqual(fx.leaks(), []);
  });
});
