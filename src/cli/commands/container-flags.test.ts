// Error texts are docker 20.10's for `docker run --expose X`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exposedPortKeys } from './container-flags.js';

test('--expose: ports, protocols and ranges become docker keys', () => {
  assert.deepEqual(exposedPortKeys(['80', '53/udp', '9000-9002', '80/tcp']), ['80/tcp', '53/udp', '9000/tcp', '9001/tcp', '9002/tcp']);
  assert.deepEqual(exposedPortKeys(['9000-9001/udp']), ['9000/udp', '9001/udp']);
});

test("--expose: bad values fail with docker's message", () => {
  const cases: [string, string][] = [
    ['abc', 'invalid range format for --expose: abc, error: strconv.ParseUint: parsing "abc": invalid syntax'],
    ['90-80', 'invalid range format for --expose: 90-80, error: invalid range specified for port: 90-80'],
    ['70000', 'invalid range format for --expose: 70000, error: strconv.ParseUint: parsing "70000": value out of range'],
    ['', 'invalid range format for --expose: , error: empty string specified for ports'],
    ['80:90', 'invalid port format for --expose: 80:90'],
  ];
  for (const [value, message] of cases) assert.throws(() => exposedPortKeys([value]), { message, code: 'INVALID_ARGUMENT' }, value);
});
