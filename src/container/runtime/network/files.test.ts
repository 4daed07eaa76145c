/** Docker's generated /etc/hosts and /etc/resolv.conf texts. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateHostsFile, generateResolvConf } from './files.js';

const defaults =
  '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n' +
  'ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';

test('hosts file: defaults, extra hosts, then the container address (as docker writes it)', () => {
  assert.equal(generateHostsFile({ hostname: 'abc' }), defaults);
  assert.equal(
    generateHostsFile({ hostname: 'abc123', ip: '172.28.0.2', extraHosts: ['a:1.2.3.4', 'b:::1'] }),
    `${defaults}1.2.3.4\ta\n::1\tb\n172.28.0.2\tabc123\n`,
  );
  assert.equal(generateHostsFile({ hostname: 'a.b.c', ip: '172.28.0.3' }), `${defaults}172.28.0.3\ta.b.c a\n`);
  assert.equal(generateHostsFile({ hostname: 'h', hostHostsFile: '127.0.0.1 vm\n' }), '127.0.0.1 vm\n');
  assert.equal(generateHostsFile({ hostname: 'h', hostHostsFile: 'x', extraHosts: ['a:1.2.3.4'] }), `${defaults}1.2.3.4\ta\n`);
  assert.throws(() => generateHostsFile({ hostname: 'h', extraHosts: ['nocolon'] }), { code: 'INVALID_ARGUMENT' });
});

test('resolv.conf: localhost nameservers dropped outside host mode, fallback as text', () => {
  const host = 'search example\nnameserver 127.0.0.53\nnameserver 10.255.255.53\noptions edns0\n';
  assert.equal(generateResolvConf(host, 'host'), host);
  assert.equal(generateResolvConf(host, 'bridge'), 'search example\nnameserver 10.255.255.53\noptions edns0\n');
  const onlyLocal = 'nameserver 127.0.0.53\nnameserver ::1\n';
  assert.equal(generateResolvConf(onlyLocal, 'bridge'), '\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n');
  assert.equal(generateResolvConf('nameserver fd00::1\n', 'bridge'), '\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n');
  assert.equal(generateResolvConf('nameserver fd00::1\n', 'none'), 'nameserver fd00::1\n');
});

test("resolv.conf with --dns, --dns-search, --dns-option: each replaces the host's, in docker's order", () => {
  const host = 'nameserver 10.0.0.2\nsearch corp.example\noptions rotate\n';
  assert.equal(generateResolvConf(host, 'bridge', { servers: ['1.1.1.1'], search: ['example.com'], options: ['ndots:2'] }), 'search example.com\nnameserver 1.1.1.1\noptions ndots:2\n');
  assert.equal(generateResolvConf(host, 'bridge', { servers: ['1.1.1.1', '8.8.8.8'] }), 'search corp.example\nnameserver 1.1.1.1\nnameserver 8.8.8.8\noptions rotate\n');
  assert.equal(generateResolvConf(host, 'host', { search: ['a.example'] }), 'search a.example\nnameserver 10.0.0.2\noptions rotate\n');
});
