import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSpec, DEFAULT_CAPS, hostHardLimit } from './spec.js';

const base = {
  id: 'a'.repeat(64), rootfs: '/r', args: ['sh'], env: ['PATH=/bin'], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [], home: '/' },
  terminal: false, hostname: 'aaaaaaaaaaaa', hostNetwork: false, etcFiles: { hosts: '/c/hosts', hostname: '/c/hostname', resolvConf: '/c/resolv.conf' },
  mounts: [], memory: 0, nanoCpus: 0, pidsLimit: null,
};

test('namespaces, mounts, caps, rlimits within the host hard limit', () => {
  const s = buildSpec({ ...base, netnsPath: '/run/netns/x' }) as any;
  assert.deepEqual(s.linux.namespaces.map((n: any) => n.type).sort(), ['ipc', 'mount', 'network', 'pid', 'uts']);
  assert.equal(s.linux.namespaces.find((n: any) => n.type === 'network').path, '/run/netns/x');
  for (const d of ['/proc', '/dev', '/sys', '/dev/pts', '/dev/shm', '/dev/mqueue', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf']) {
    assert.ok(s.mounts.some((m: any) => m.destination === d), d);
  }
  assert.deepEqual(s.process.capabilities.bounding, DEFAULT_CAPS);
  assert.equal(DEFAULT_CAPS.length, 14);
  assert.ok(s.process.rlimits[0].hard <= hostHardLimit('Max open files'));
  assert.equal(s.hostname, 'aaaaaaaaaaaa');
});

test('host network has no network namespace; resources from flags', () => {
  const s = buildSpec({ ...base, hostNetwork: true, memory: 64 << 20, nanoCpus: 1.5e9, pidsLimit: 50 }) as any;
  assert.ok(!s.linux.namespaces.some((n: any) => n.type === 'network'));
  assert.equal(s.linux.resources.memory.limit, 64 << 20);
  assert.deepEqual(s.linux.resources.cpu, { quota: 150000, period: 100000 });
  assert.deepEqual(s.linux.resources.pids, { limit: 50 });
});
