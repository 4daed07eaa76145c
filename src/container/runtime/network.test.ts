/**
 * End-to-end networking on a test bridge (wtnet0, 172.30.0.0/24; never wharf0): netns-to-netns
 * traffic over the bridge, TCP and UDP published through 127.0.0.1, -P, host/none modes, DNAT
 * rules, parallel setups, and that teardown and failed setups leave nothing behind.
 * Servers run only inside the test's own namespaces or on 127.0.0.1. Needs root.
 */
// test:host — needs root, network namespaces, ip(8): not part of `npm run test:unit`.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createTcpServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { run } from './network/exec.js';
import { listAllocations } from './network/ipam.js';
import { netnsExists, linkExists } from './network/netns.js';
import { bridgeConfig, netnsName, parsePortSpec, removeBridge, setupNetwork, teardownNetwork, vethName } from './network.js';
import type { NetworkState, SetupNetworkOptions } from './network.js';

const isRoot = process.getuid?.() === 0;
const BRIDGE = 'wtnet0';
const SUBNET = '172.30.0.0/24';
const root = mkdtempSync(join(tmpdir(), 'wharf-net-'));
const ids: string[] = [];
const children: ChildProcess[] = [];
const newId = () => {
  const id = randomBytes(32).toString('hex');
  ids.push(id);
  return id;
};
const setup = (containerId: string, extra: Partial<SetupNetworkOptions> = {}) =>
  setupNetwork({ root, containerId, mode: 'bridge', ports: [], bridgeName: BRIDGE, subnet: SUBNET, ...extra });

/** Run node code inside a netns; resolves once it prints "ready" (or with its whole output). */
function nsNode(containerId: string, code: string, waitReady: boolean): Promise<string> {
  const child = spawn('ip', ['netns', 'exec', netnsName(containerId), process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (waitReady) children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (waitReady && out.includes('ready')) resolve(out);
    });
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${out}`))));
  });
}
const hostIpv6 = readFileSync('/proc/sys/net/ipv6/conf/all/disable_ipv6', 'utf8').trim() === '0';

/** Stop the servers nsNode left running, as a container's processes are gone before its teardown. */
async function stopNsProcesses(): Promise<void> {
  const running = children.splice(0).filter((c) => c.exitCode === null && c.signalCode === null);
  await Promise.all(running.map((c) => new Promise((r) => c.once('exit', r).kill('SIGKILL'))));
}
const tcpEcho = (port: number) =>
  `require('net').createServer(s => s.on('data', d => s.end('echo:' + d))).listen(${port}, '0.0.0.0', () => console.log('ready'))`;
const udpEcho = (port: number) =>
  `const s = require('dgram').createSocket('udp4'); s.on('message', (m, r) => s.send('udp:' + m, r.port, r.address)); s.bind(${port}, () => console.log('ready'))`;
const tcpClient = (host: string, port: number) =>
  `const s = require('net').connect(${port}, '${host}', () => s.write('hi')); s.on('data', d => { process.stdout.write(d); s.end(); })`;

async function tcpRequest(port: number): Promise<string> {
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write('hi'));
    let out = '';
    s.on('data', (d) => (out += d));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

async function udpRequest(port: number): Promise<string> {
  const { createSocket } = await import('node:dgram');
  const s = createSocket('udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no UDP reply')), 3000);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m.toString());
    });
    s.send('ping', port, '127.0.0.1');
  });
}

function processesOf(containerId: string): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(containerId)) pids.push(Number(pid));
    } catch {
      /* exited */
    }
  }
  return pids;
}

async function dnatElements(): Promise<string> {
  return (await run('nft', ['list', 'map', 'ip', `wharf_${BRIDGE}`, 'ports'])).stdout;
}

/** Assert nothing of `containerId` remains on the host. */
async function assertGone(containerId: string, state?: NetworkState): Promise<void> {
  assert.equal(await netnsExists(containerId), false, 'netns left');
  // The kernel destroys the veth pair with the namespace, in the background.
  for (let i = 0; i < 40 && (await linkExists(vethName(containerId))); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await linkExists(vethName(containerId)), false, 'veth left');
  assert.deepEqual(processesOf(containerId), [], 'proxy process left');
  assert.equal(existsSync(join(root, 'network', `${containerId}.json`)), false, 'record left');
  assert.equal(listAllocations(root).some((a) => a.container === containerId), false, 'address not released');
  if (state?.ipAddress) assert.equal((await dnatElements()).includes(`${state.ipAddress} .`), false, 'DNAT left');
}

describe('container networking', { skip: !isRoot && 'needs root' }, () => {
  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const id of ids) await teardownNetwork(root, id);
    await removeBridge(bridgeConfig({ name: BRIDGE, subnet: SUBNET }));
    await removeBridge(bridgeConfig({ name: 'wtpar0', subnet: '172.30.1.0/24' }));
    rmSync(root, { recursive: true, force: true });
  });

  test('two containers reach each other by IP over the bridge', async () => {
    const a = newId();
    const b = newId();
    const sa = await setup(a);
    const sb = await setup(b);
    assert.notEqual(sa.ipAddress, sb.ipAddress);
    assert.equal(sa.gateway, '172.30.0.1');
    assert.equal(sa.ipPrefixLen, 24);
    assert.equal(sa.macAddress, `02:42:ac:1e:00:${Number(sa.ipAddress.split('.')[3]).toString(16).padStart(2, '0')}`);
    assert.equal(sa.netnsPath, `/run/netns/${netnsName(a)}`);
    await nsNode(a, tcpEcho(7001), true);
    assert.equal(await nsNode(b, tcpClient(sa.ipAddress, 7001), false), 'echo:hi');
    await stopNsProcesses();
    await teardownNetwork(root, a);
    await teardownNetwork(root, b);
    await assertGone(a, sa);
    await assertGone(b, sb);
  });

  test('published TCP and UDP ports reach the container from 127.0.0.1; teardown removes all', async () => {
    const id = newId();
    const ports = [...parsePortSpec('127.0.0.1::80'), ...parsePortSpec('90/udp'), ...parsePortSpec('0.0.0.0::80')];
    // '' host ports: the proxy picks free ones; 0.0.0.0 bindings also get a DNAT element.
    const st = await setup(id, { ports: ports.map((p) => ({ ...p, hostPort: '' })) });
    assert.equal(st.proxyPids.length, 1);
    const v4 = st.ports.filter((p) => p.hostIp !== '::');
    const [tcpLocal, udp, tcpAll] = v4;
    assert.deepEqual(
      v4.map((p) => [p.containerPort, p.hostIp]),
      [['80/tcp', '127.0.0.1'], ['90/udp', '0.0.0.0'], ['80/tcp', '0.0.0.0']],
    );
    // The unaddressed 90/udp also listens on [::] (same port) when the host does IPv6.
    const twins = st.ports.filter((p) => p.hostIp === '::');
    if (hostIpv6) assert.deepEqual(twins, [{ containerPort: '90/udp', hostIp: '::', hostPort: udp!.hostPort }]);
    else assert.deepEqual(twins, []);
    await nsNode(id, tcpEcho(80), true);
    await nsNode(id, udpEcho(90), true);
    assert.equal(await tcpRequest(Number(tcpLocal!.hostPort)), 'echo:hi');
    assert.equal(await tcpRequest(Number(tcpAll!.hostPort)), 'echo:hi');
    assert.equal(await udpRequest(Number(udp!.hostPort)), 'udp:ping');
    const rules = await dnatElements();
    assert.match(rules, new RegExp(`tcp \\. ${tcpAll!.hostPort} : ${st.ipAddress} \\. 80`));
    assert.match(rules, new RegExp(`udp \\. ${udp!.hostPort} : ${st.ipAddress} \\. 90`));
    assert.doesNotMatch(rules, new RegExp(`tcp \\. ${tcpLocal!.hostPort} :`));
    await stopNsProcesses();
    await teardownNetwork(root, id);
    await teardownNetwork(root, id); // idempotent
    await assertGone(id, st);
    await assert.rejects(tcpRequest(Number(tcpLocal!.hostPort)));
  });

  test('-P publishes every exposed port on distinct free host ports', async () => {
    const id = newId();
    const st = await setup(id, { exposeAll: true, exposedPorts: ['7000', '7001/udp', '7002-7003'], ports: parsePortSpec('127.0.0.1::7000') });
    const v4 = st.ports.filter((p) => p.hostIp !== '::');
    const keys = v4.map((p) => p.containerPort).sort();
    assert.deepEqual(keys, ['7000/tcp', '7001/udp', '7002/tcp', '7003/tcp']);
    // -P ports get a [::] twin on the same port when the host does IPv6; the 127.0.0.1 one does not.
    const twins = st.ports.filter((p) => p.hostIp === '::').map((p) => `${p.containerPort}:${p.hostPort}`).sort();
    const expectedTwins = v4.filter((p) => p.hostIp === '0.0.0.0').map((p) => `${p.containerPort}:${p.hostPort}`).sort();
    assert.deepEqual(twins, hostIpv6 ? expectedTwins : []);
    const hostPorts = v4.map((p) => Number(p.hostPort));
    assert.ok(hostPorts.every((p) => p > 1024 && p < 65536));
    assert.equal(new Set(hostPorts).size, hostPorts.length);
    await nsNode(id, tcpEcho(7002), true);
    assert.equal(await tcpRequest(Number(st.ports.find((p) => p.containerPort === '7002/tcp')!.hostPort)), 'echo:hi');
    await stopNsProcesses();
    await teardownNetwork(root, id);
    await assertGone(id, st);
  });

  test('a setup that fails midway (port taken) leaves nothing behind', async () => {
    const blocker: Server = createTcpServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const id = newId();
    try {
      await assert.rejects(setup(id, { name: 'web', ports: parsePortSpec(`127.0.0.1:${port}:80`) }), {
        message: `driver failed programming external connectivity on endpoint web: Bind for 127.0.0.1:${port} failed: port is already allocated`,
      });
      await assertGone(id);
    } finally {
      blocker.close();
    }
  });

  test('none mode has only lo; host mode creates no netns', async () => {
    const none = newId();
    const st = await setupNetwork({ root, containerId: none, mode: 'none', ports: [] });
    const links = (await run('ip', ['-n', netnsName(none), '-o', 'link'])).stdout.trim().split('\n');
    assert.equal(links.length, 1);
    assert.match(links[0]!, /lo: <LOOPBACK,UP/);
    assert.equal(st.ipAddress, '');
    await teardownNetwork(root, none);
    await assertGone(none);
    const host = newId();
    const hs = await setupNetwork({ root, containerId: host, mode: 'host', ports: parsePortSpec('80') });
    assert.equal(hs.netnsPath, undefined);
    assert.deepEqual(hs.ports, []);
    assert.equal(await netnsExists(host), false);
    await teardownNetwork(root, host);
    await assertGone(host);
  });

  test('parallel setups in separate processes get distinct addresses', async () => {
    const url = new URL('./network.ts', import.meta.url).href;
    const code = `const { setupNetwork } = await import(${JSON.stringify(url)});
      const st = await setupNetwork({ root: process.argv[1], containerId: process.argv[2], mode: 'bridge', ports: [],
        bridgeName: 'wtpar0', subnet: '172.30.1.0/24' });
      console.log(st.ipAddress);`;
    const workers = Array.from({ length: 6 }, () => newId()).map((id) => {
      const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', code, root, id], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      return new Promise<[string, string]>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d) => (out += d));
        child.on('exit', (c) => (c === 0 ? resolve([id, out.trim()]) : reject(new Error(`worker exit ${c}`))));
      });
    });
    const results = await Promise.all(workers);
    const ips = results.map(([, ip]) => ip);
    assert.equal(new Set(ips).size, 6, `duplicate address in ${ips.join(' ')}`);
    for (const [id] of results) assert.equal(await netnsExists(id), true);
    const masquerade = (await run('nft', ['list', 'chain', 'ip', 'wharf_wtpar0', 'postrouting'])).stdout;
    assert.equal(masquerade.match(/masquerade/g)?.length, 1, 'NAT rule duplicated by parallel setups');
    for (const [id] of results) {
      await teardownNetwork(root, id);
      await assertGone(id);
    }
  });
});
