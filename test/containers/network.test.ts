/**
 * Networking end to end through bin/wharf: two bridge containers reach each other by IP,
 * `-p` (with and without a host address) and `-P` publish to the host's 127.0.0.1, `port` and
 * `inspect` show the mappings as docker does, host and none modes work, and `rm -f` leaves no
 * netns, veth, proxy or nftables element behind. The test runs on its own bridge and subnet
 * (WHARF_BRIDGE, WHARF_BRIDGE_SUBNET) and removes them at the end.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Fixture, freePort, sleep } from './helpers/fixture.js';

const bridge = `wt${process.pid % 100000}`;
process.env.WHARF_BRIDGE = bridge;
process.env.WHARF_BRIDGE_SUBNET = `10.${200 + (process.pid % 50)}.${process.pid % 250}.0/24`;
const nftTable = `wharf_${bridge}`;

async function httpGet(port: number, path = '/index.html', host = '127.0.0.1'): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`http://${host}:${port}${path}`);
      return await r.text();
    } catch (err) {
      if (i >= 50) throw err;
      await sleep(100);
    }
  }
}

const vethPresent = (id: string) => spawnSync('ip', ['link', 'show', `veth${id.slice(0, 7)}`]).status === 0;

/**
 * What a container could leave behind on the host's network side. The kernel destroys a veth
 * pair with its namespace, in the background: give it two seconds.
 */
async function netLeaks(id: string): Promise<string[]> {
  const out: string[] = [];
  if (existsSync(`/run/netns/wharf-${id.slice(0, 12)}`)) out.push('netns');
  for (let i = 0; i < 40 && vethPresent(id); i++) await sleep(50);
  if (vethPresent(id)) out.push('veth');
  const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  if (ps.split('\n').some((l) => l.includes('wharf-proxy') && l.includes(id))) out.push('proxy');
  const nft = spawnSync('nft', ['list', 'map', 'ip', nftTable, 'ports'], { encoding: 'utf8' });
  if (/elements/.test(nft.stdout ?? '')) out.push(`nft ${nft.stdout}`);
  return out;
}

describe('containers: networking through the CLI', () => {
  const fx = new Fixture();
  let img = '';
  before(() => {
    img = fx.busybox();
    // An image with a web root that EXPOSEs 80, made with `commit -c` as a user would.
    const id = fx.ok(['run', '-d', '--network', 'none', img, 'sh', '-c', 'mkdir /www && echo hello-from-web > /www/index.html']).trim();
    fx.ok(['wait', id]);
    fx.ok(['commit', '-c', 'EXPOSE 80', '-c', 'CMD ["httpd", "-f", "-p", "80", "-h", "/www"]', id, 'web:test']);
    fx.ok(['rm', id]);
  });
  after(() => {
    fx.cleanup();
    spawnSync('ip', ['link', 'del', 'dev', bridge]);
    spawnSync('nft', ['delete', 'table', 'ip', nftTable]);
    rmSync(`/run/wharf/bridges/${bridge}`, { force: true });
  });

  test('two bridge containers reach each other by IP; inspect shows the address', async () => {
    const a = fx.ok(['run', '-d', '--name', 'srv', 'web:test']).trim();
    const info = JSON.parse(fx.ok(['inspect', a]))[0];
    const ip = info.NetworkSettings.IPAddress as string;
    assert.match(ip, /^10\.\d+\.\d+\.\d+$/);
    assert.equal(info.NetworkSettings.Gateway, process.env.WHARF_BRIDGE_SUBNET!.replace(/0\/24$/, '1'));
    // The running container alone holds its namespace: no name under /run/netns, and the
    // SandboxKey enters it by pid.
    assert.equal(info.NetworkSettings.SandboxKey, `/proc/${info.State.Pid}/ns/net`);
    assert.equal(existsSync(`/run/netns/wharf-${a.slice(0, 12)}`), false);
    const inside = execFileSync('nsenter', [`--net=${info.NetworkSettings.SandboxKey}`, 'ip', '-br', 'addr', 'show', 'eth0'], { encoding: 'utf8' });
    assert.match(inside, new RegExp(`UP\\s+${ip.replace(/\./g, '\\.')}/24`));
    // wget from a second container (httpd may still be starting), and nc against a listener in a third.
    let page = fx.wharf(['run', '--rm', img, 'wget', '-qO-', `http://${ip}/index.html`]);
    for (let i = 0; i < 30 && page.code !== 0; i++) page = fx.wharf(['run', '--rm', img, 'wget', '-qO-', `http://${ip}/index.html`]);
    assert.equal(page.stdout, 'hello-from-web\n', page.stderr);
    const l = fx.ok(['run', '-d', img, 'sh', '-c', 'nc -l -p 7000 > /tmp/got; cat /tmp/got']).trim();
    const lip = fx.ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', l]).trim();
    let sent = false;
    for (let i = 0; i < 30 && !sent; i++) sent = fx.wharf(['run', '--rm', img, 'sh', '-c', `echo ping-nc | nc ${lip} 7000`]).code === 0;
    assert.ok(sent);
    assert.equal(fx.ok(['wait', l]).trim(), '0');
    assert.equal(fx.ok(['logs', l]), 'ping-nc\n');
    for (const id of [a, l]) {
      fx.ok(['rm', '-f', id]);
      assert.deepEqual(await netLeaks(id), []);
    }
  });

  test('-p HOSTIP:HOSTPORT:80 and -p HOSTPORT:80 reach httpd from 127.0.0.1; port and inspect show them', async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    const a = fx.ok(['run', '-d', '-p', `127.0.0.1:${p1}:80`, 'web:test']).trim();
    const b = fx.ok(['run', '-d', '-p', `${p2}:80`, 'web:test']).trim();
    assert.equal(await httpGet(p1), 'hello-from-web\n');
    assert.equal(await httpGet(p2), 'hello-from-web\n');
    assert.equal(fx.ok(['port', a]), `80/tcp -> 127.0.0.1:${p1}\n`);
    // An unaddressed -p also listens on [::] when the host does IPv6, as docker's does.
    const v6 = readFileSync('/proc/sys/net/ipv6/conf/all/disable_ipv6', 'utf8').trim() === '0';
    assert.equal(fx.ok(['port', b]), `80/tcp -> 0.0.0.0:${p2}\n${v6 ? `80/tcp -> [::]:${p2}\n` : ''}`);
    assert.equal(fx.ok(['port', b, '80']), `0.0.0.0:${p2}\n${v6 ? `[::]:${p2}\n` : ''}`);
    if (v6) assert.equal(await httpGet(p2, '/index.html', '[::1]'), 'hello-from-web\n');
    const r = fx.wharf(['port', b, '81']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `Error: No public port '81' published for ${b}\n`);
    const ports = JSON.parse(fx.ok(['inspect', '-f', '{{json .NetworkSettings.Ports}}', a]));
    assert.deepEqual(ports, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(p1) }] });
    assert.match(fx.ok(['ps', '--format', '{{.Ports}}', '--filter', `id=${a}`]), new RegExp(`127\\.0\\.0\\.1:${p1}->80/tcp`));
    fx.ok(['rm', '-f', a, b]);
    for (const id of [a, b]) assert.deepEqual(await netLeaks(id), []);
    await assert.rejects(fetch(`http://127.0.0.1:${p1}/`));
  });

  test('-P publishes every EXPOSEd port on a free host port', async () => {
    const a = fx.ok(['run', '-d', '-P', 'web:test']).trim();
    const line = fx.ok(['port', a]);
    const m = /^80\/tcp -> 0\.0\.0\.0:(\d+)\n/.exec(line);
    assert.ok(m, line);
    assert.equal(await httpGet(Number(m[1])), 'hello-from-web\n');
    const ports = JSON.parse(fx.ok(['inspect', '-f', '{{json .NetworkSettings.Ports}}', a]));
    // The [::] twin, when the host does IPv6, has the same port.
    const v6 = readFileSync('/proc/sys/net/ipv6/conf/all/disable_ipv6', 'utf8').trim() === '0';
    assert.deepEqual(ports, { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: m[1] }, ...(v6 ? [{ HostIp: '::', HostPort: m[1] }] : [])] });
    fx.ok(['rm', '-f', a]);
    assert.deepEqual(await netLeaks(a), []);
  });

  test('--network host shares the host stack; none has only lo', () => {
    assert.equal(fx.ok(['run', '--rm', '--network', 'host', img, 'hostname']), `${hostname()}\n`);
    // Other containers on this host come and go meanwhile: the same count, read between two equal host readings, within a few tries.
    let same = false;
    for (let i = 0; i < 5 && !same; i++) {
      const before = readFileSync('/proc/net/dev', 'utf8').split('\n').length;
      const inside = fx.ok(['run', '--rm', '--network', 'host', img, 'cat', '/proc/net/dev']).split('\n').length;
      same = inside === before && readFileSync('/proc/net/dev', 'utf8').split('\n').length === before;
    }
    assert.ok(same, 'the container sees the host interfaces');
    assert.equal(fx.ok(['run', '--rm', '--network', 'none', img, 'sh', '-c', "ip -o link | awk '{print $2}'"]), 'lo:\n');
    const id = fx.ok(['create', '--network', 'none', img, 'true']).trim();
    const info = JSON.parse(fx.ok(['inspect', id]))[0];
    assert.equal(info.HostConfig.NetworkMode, 'none');
    assert.equal(info.NetworkSettings.IPAddress, '');
    fx.ok(['rm', id]);
  });

  test('a port already in use fails the start and leaves nothing behind', async () => {
    const port = await freePort();
    const a = fx.ok(['run', '-d', '-p', `127.0.0.1:${port}:80`, 'web:test']).trim();
    const r = fx.wharf(['run', '-d', '--name', 'clash', '-p', `127.0.0.1:${port}:80`, 'web:test']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /port is already allocated/);
    const clash = JSON.parse(fx.ok(['inspect', 'clash']))[0].Id as string;
    assert.deepEqual(await netLeaks(clash), []);
    assert.ok(!existsSync(join(fx.root, 'network', `${clash}.json`)));
    fx.ok(['rm', '-f', a]);
    assert.deepEqual(await netLeaks(a), []);
    assert.deepEqual(fx.leaks(), []);
    fx.ok(['rm', 'clash']);
  });
});
