/**
 * wharf's bridge on a host where Docker runs: docker sets the filter FORWARD policy to DROP
 * and br_netfilter sends bridged frames through that chain, so a bridge with NAT rules only
 * carries nothing. The set-up adds the accept rules docker adds for its own bridge, and the
 * bridge's removal takes them away. All of it happens in network namespaces this test makes:
 * H (the "host", policy DROP), C1 and C2 (two "containers" on the bridge) and O (an outside
 * machine reached through H, which masquerades).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const tag = Math.random().toString(16).slice(2, 8);
const ns = { host: `wfh${tag}`, c1: `wfa${tag}`, c2: `wfb${tag}`, out: `wfo${tag}` };
const BRIDGE = `wfbr${tag}`;
const SUBNET = '10.77.0.0/24';
const bridgeModule = join(import.meta.dirname, '../../src/container/runtime/network/bridge.ts');

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const inNs = (name: string, cmd: string, ...args: string[]) => sh('ip', ['netns', 'exec', name, cmd, ...args]);
const ping = (from: string, to: string) => spawnSync('ip', ['netns', 'exec', from, 'busybox', 'ping', '-c', '1', '-W', '1', to]).status === 0;
/** ensureBridge / removeBridge, run inside the host namespace. */
const bridgeOp = (op: 'ensureBridge' | 'removeBridge') =>
  inNs(ns.host, process.execPath, '--import', 'tsx', '--input-type=module', '-e',
    `import { ${op}, bridgeConfig } from ${JSON.stringify(bridgeModule)}; await ${op}(bridgeConfig({ name: ${JSON.stringify(BRIDGE)}, subnet: ${JSON.stringify(SUBNET)} }));`);
const forwardRules = () => inNs(ns.host, 'iptables', '-S', 'FORWARD').split('\n').filter((l) => l.includes(BRIDGE));

const why =
  process.getuid?.() !== 0 ? 'needs root' :
  spawnSync('iptables', ['-V']).status !== 0 ? 'needs iptables' :
  spawnSync('busybox', ['ping', '-h']).error ? 'needs busybox' : '';

describe('bridge: forwarding under a FORWARD policy of DROP', { skip: why || false }, () => {
  before(() => {
    for (const n of Object.values(ns)) sh('ip', ['netns', 'add', n]);
    inNs(ns.host, 'iptables', '-P', 'FORWARD', 'DROP');
    // br_netfilter's switch, where the kernel has it per namespace (docker turns it on).
    spawnSync('ip', ['netns', 'exec', ns.host, 'sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=1']);
    bridgeOp('ensureBridge');
    for (const [n, addr] of [[ns.c1, '10.77.0.2'], [ns.c2, '10.77.0.3']] as const) {
      const veth = `v${n}`.slice(0, 15);
      inNs(ns.host, 'ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n);
      inNs(ns.host, 'ip', 'link', 'set', veth, 'master', BRIDGE, 'up');
      inNs(n, 'ip', 'addr', 'add', `${addr}/24`, 'dev', 'eth0');
      inNs(n, 'ip', 'link', 'set', 'eth0', 'up');
      inNs(n, 'ip', 'route', 'add', 'default', 'via', '10.77.0.1');
    }
    // O knows no route to the bridge's subnet: its replies come back only through H's masquerade.
    inNs(ns.host, 'ip', 'link', 'add', 'up0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns.out);
    inNs(ns.host, 'ip', 'addr', 'add', '192.0.2.1/30', 'dev', 'up0');
    inNs(ns.host, 'ip', 'link', 'set', 'up0', 'up');
    inNs(ns.out, 'ip', 'addr', 'add', '192.0.2.2/30', 'dev', 'eth0');
    inNs(ns.out, 'ip', 'link', 'set', 'eth0', 'up');
  });
  after(() => {
    spawnSync('ip', ['netns', 'exec', ns.host, process.execPath, '--import', 'tsx', '--input-type=module', '-e',
      `import { removeBridge, bridgeConfig } from ${JSON.stringify(bridgeModule)}; await removeBridge(bridgeConfig({ name: ${JSON.stringify(BRIDGE)}, subnet: ${JSON.stringify(SUBNET)} }));`]);
    for (const n of Object.values(ns)) spawnSync('ip', ['netns', 'del', n]);
  });

  test('containers reach each other and the outside; without the rules they do not; removal takes the rules', () => {
    assert.equal(forwardRules().length, 2, 'the accept rules are in FORWARD');
    assert.ok(ping(ns.c1, '10.77.0.3'), 'container to container across the bridge');
    assert.ok(ping(ns.c2, '192.0.2.2'), 'container to the outside, masqueraded');
    // The policy is what blocks: the same traffic without the rules goes nowhere.
    for (const rule of forwardRules()) inNs(ns.host, 'iptables', ...rule.replace(/^-A /, '-D ').split(' '));
    assert.equal(ping(ns.c1, '10.77.0.3'), false, 'DROP blocks bridged traffic without the rules');
    assert.equal(ping(ns.c2, '192.0.2.2'), false, 'DROP blocks routed traffic without the rules');
    bridgeOp('ensureBridge'); // the mark says set up: nothing runs, the rules stay off
    assert.equal(forwardRules().length, 0);
    bridgeOp('removeBridge');
    bridgeOp('ensureBridge'); // a fresh set-up puts them back
    assert.equal(forwardRules().length, 2);
    bridgeOp('removeBridge');
    assert.deepEqual(forwardRules(), [], 'the bridge took its rules with it');
    assert.equal(spawnSync('ip', ['netns', 'exec', ns.host, 'ip', 'link', 'show', BRIDGE]).status !== 0, true, 'the bridge is gone');
  });
});
