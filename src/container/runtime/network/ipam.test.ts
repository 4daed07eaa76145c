/** IPAM: subnet maths, Docker's MAC derivation, and race-free allocation across processes. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { allocateIp, listAllocations, macForIp, parseSubnet, releaseIp } from './ipam.js';

test('subnet, gateway and MAC', () => {
  const s = parseSubnet('172.28.5.9/16');
  assert.equal(s.cidr, '172.28.0.0/16');
  assert.equal(s.gateway, '172.28.0.1');
  assert.equal(macForIp('172.17.0.2'), '02:42:ac:11:00:02');
  assert.throws(() => parseSubnet('172.28.0.0'), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => parseSubnet('300.1.1.1/16'), { code: 'INVALID_ARGUMENT' });
});

test('allocation goes round after the last address, is idempotent per container, released, and exhausts', () => {
  const root = mkdtempSync(join(tmpdir(), 'wharf-ipam-'));
  try {
    const s = parseSubnet('10.99.0.0/29'); // .2 .. .6 usable
    assert.equal(allocateIp(root, s, 'a'), '10.99.0.2');
    assert.equal(allocateIp(root, s, 'b'), '10.99.0.3');
    assert.equal(allocateIp(root, s, 'a'), '10.99.0.2');
    releaseIp(root, 'a');
    releaseIp(root, 'a');
    // .2 was just released: the search goes on after .3 and wraps around to it last.
    assert.equal(allocateIp(root, s, 'c'), '10.99.0.4');
    assert.equal(allocateIp(root, s, 'd'), '10.99.0.5');
    assert.equal(allocateIp(root, s, 'e'), '10.99.0.6');
    assert.equal(allocateIp(root, s, 'f'), '10.99.0.2');
    assert.throws(() => allocateIp(root, s, 'g'), { code: 'UNAVAILABLE' });
    assert.deepEqual(
      listAllocations(root).map((a) => `${a.ip}=${a.container}`),
      ['10.99.0.2=f', '10.99.0.3=b', '10.99.0.4=c', '10.99.0.5=d', '10.99.0.6=e'],
    );
    // A restarted container gets its old address back when it is free, else the next one.
    releaseIp(root, 'c');
    assert.equal(allocateIp(root, s, 'c', '10.99.0.4'), '10.99.0.4');
    releaseIp(root, 'c');
    releaseIp(root, 'd');
    assert.equal(allocateIp(root, s, 'x', '10.99.0.4'), '10.99.0.4');
    assert.equal(allocateIp(root, s, 'c', '10.99.0.4'), '10.99.0.5');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('parallel processes never receive the same address', async () => {
  const root = mkdtempSync(join(tmpdir(), 'wharf-ipam-'));
  try {
    const url = new URL('./ipam.ts', import.meta.url).href;
    const code = `const { allocateIp, parseSubnet } = await import(${JSON.stringify(url)});
      const s = parseSubnet('10.98.0.0/16'); const out = [];
      for (let i = 0; i < 15; i++) out.push(allocateIp(process.argv[1], s, process.argv[2] + '-' + i));
      console.log(JSON.stringify(out));`;
    const run = promisify(execFile);
    const workers = Array.from({ length: 8 }, (_, w) =>
      run(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', code, root, `w${w}`]),
    );
    // Every worker ends before the temp dir goes, so a failing one reports its own error.
    const settled = await Promise.allSettled(workers);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const ips = settled.flatMap((r) => (r.status === 'fulfilled' ? (JSON.parse(r.value.stdout) as string[]) : []));
    assert.equal(ips.length, 120);
    assert.equal(new Set(ips).size, 120, 'an address was handed out twice');
    assert.equal(listAllocations(root).length, 120);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
