/** parsePortSpec against Docker 20.10's accepted forms and error texts, and the inspect/port views. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePortSpec, portLines, portMappingsForInspect } from './ports.js';

const m = (hostIp: string, hostPort: string, containerPort: number, proto: 'tcp' | 'udp' = 'tcp') => ({
  hostIp,
  hostPort,
  containerPort,
  proto,
});

test('accepted forms match what docker records', () => {
  assert.deepEqual(parsePortSpec('80'), [m('', '', 80)]);
  assert.deepEqual(parsePortSpec('8080:80'), [m('', '8080', 80)]);
  assert.deepEqual(parsePortSpec('8080:80/UDP'), [m('', '8080', 80, 'udp')]);
  assert.deepEqual(parsePortSpec('80:80/'), [m('', '80', 80)]);
  assert.deepEqual(parsePortSpec('8080:80/tcp/x'), [m('', '8080', 80)]);
  assert.deepEqual(parsePortSpec('127.0.0.1::80'), [m('127.0.0.1', '', 80)]);
  assert.deepEqual(parsePortSpec(':80'), [m('', '', 80)]);
  assert.deepEqual(parsePortSpec('::1:80:80'), [m('::1', '80', 80)]);
  assert.deepEqual(parsePortSpec('[::1]:80:80'), [m('::1', '80', 80)]);
  assert.deepEqual(parsePortSpec('8080-8081:80'), [m('', '8080-8081', 80)]);
  assert.deepEqual(parsePortSpec('127.0.0.1:8080-8081:80-81'), [m('127.0.0.1', '8080', 80), m('127.0.0.1', '8081', 81)]);
  assert.deepEqual(parsePortSpec('8080-8081:80-81/udp'), [m('', '8080', 80, 'udp'), m('', '8081', 81, 'udp')]);
  assert.deepEqual(parsePortSpec('80-81/tcp'), [m('', '', 80), m('', '', 81)]);
  assert.deepEqual(parsePortSpec('1-2-3:80'), [m('', '1-2', 80)]);
});

test('errors carry docker texts', () => {
  const cases: [string, string][] = [
    ['abc', 'invalid containerPort: abc'],
    ['70000:80', 'invalid hostPort: 70000'],
    ['80/sctpx', 'invalid proto: sctpx'],
    ['8080-8082:80-81', 'invalid ranges specified for container and host Ports: 80-81 and 8080-8082'],
    ['8080:80-81', 'invalid ranges specified for container and host Ports: 80-81 and 8080'],
    ['80-79', 'invalid containerPort: 80-79'],
    ['80:', 'no port specified: 80:<empty>'],
    ['', 'no port specified: <empty>'],
    ['a:b:c:d', 'invalid IP address: a:b'],
    ['65536', 'invalid containerPort: 65536'],
    ['-1', 'invalid containerPort: -1'],
    ['8080:80a', 'invalid containerPort: 80a'],
    ['1.2.3:80:80', 'invalid IP address: 1.2.3'],
    ['localhost:80:80', 'invalid IP address: localhost'],
    ['127.0.0.1:abc:80', 'invalid hostPort: abc'],
  ];
  for (const [spec, message] of cases) {
    assert.throws(() => parsePortSpec(spec), { message, code: 'INVALID_ARGUMENT' }, spec);
  }
  assert.throws(() => parsePortSpec('80/sctp'), { code: 'UNSUPPORTED' });
});

const state = {
  ports: [
    { containerPort: '80/tcp', hostIp: '0.0.0.0', hostPort: '8080' },
    { containerPort: '53/udp', hostIp: '127.0.0.1', hostPort: '5353' },
    { containerPort: '80/tcp', hostIp: '::', hostPort: '8080' },
  ],
};

test('portMappingsForInspect: sorted keys, exposed-only ports as null', () => {
  const got = portMappingsForInspect(state, ['80', '443/tcp', '53/udp']);
  assert.deepEqual(Object.keys(got), ['443/tcp', '53/udp', '80/tcp']);
  assert.equal(got['443/tcp'], null);
  assert.deepEqual(got['80/tcp'], [
    { HostIp: '0.0.0.0', HostPort: '8080' },
    { HostIp: '::', HostPort: '8080' },
  ]);
  assert.deepEqual(portMappingsForInspect({ ports: [], exposedPorts: ['9000-9001'] }), { '9000/tcp': null, '9001/tcp': null });
});

test('portLines: docker port output, filtered output and its error', () => {
  assert.deepEqual(portLines(state), ['53/udp -> 127.0.0.1:5353', '80/tcp -> 0.0.0.0:8080', '80/tcp -> [::]:8080']);
  assert.deepEqual(portLines(state, '80'), ['0.0.0.0:8080', '[::]:8080']);
  assert.deepEqual(portLines(state, '53/udp'), ['127.0.0.1:5353']);
  assert.throws(() => portLines(state, '53', 'web'), { message: "No public port '53' published for web" });
  const published = (containerPort: string, hostIp: string, hostPort: string) => ({ containerPort, hostIp, hostPort });
  const many = { ports: [published('443/tcp', '0.0.0.0', '8443'), published('53/udp', '0.0.0.0', '53'), published('8080/tcp', '::', '1')] };
  assert.deepEqual(portLines(many), ['53/udp -> 0.0.0.0:53', '443/tcp -> 0.0.0.0:8443', '8080/tcp -> [::]:1']);
});
