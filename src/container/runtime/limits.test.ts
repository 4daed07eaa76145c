// Messages and results as docker 20.10 gives them for the same flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveCaps, normalizeCaps, parseUlimit, rlimits } from './limits.js';

const DEFAULTS = ['CAP_CHOWN', 'CAP_KILL', 'CAP_SETUID'];

test('--cap-add/--cap-drop: names normalised, unknown ones refused, ALL either way', () => {
  assert.deepEqual(normalizeCaps(['net_admin', 'CAP_SYS_TIME', 'all'], 'CapAdd'), ['CAP_NET_ADMIN', 'CAP_SYS_TIME', 'ALL']);
  assert.throws(() => normalizeCaps(['FOO'], 'CapAdd'), { message: 'invalid CapAdd: unknown capability: "CAP_FOO"' });
  assert.deepEqual(effectiveCaps(DEFAULTS, ['CAP_NET_ADMIN'], ['CAP_CHOWN']), ['CAP_KILL', 'CAP_SETUID', 'CAP_NET_ADMIN']);
  assert.deepEqual(effectiveCaps(DEFAULTS, ['CAP_CHOWN'], ['ALL']), ['CAP_CHOWN']);
  const all = effectiveCaps(DEFAULTS, ['ALL'], ['CAP_SYS_ADMIN']);
  assert.ok(all.length > 35 && all.includes('CAP_NET_ADMIN') && !all.includes('CAP_SYS_ADMIN'));
  assert.deepEqual(effectiveCaps(DEFAULTS), DEFAULTS);
});

test('--ulimit: soft[:hard], docker names only, and rlimits with the default NOFILE', () => {
  assert.deepEqual(parseUlimit('nofile=1024:2048'), { Name: 'nofile', Hard: 2048, Soft: 1024 });
  assert.deepEqual(parseUlimit('nproc=100'), { Name: 'nproc', Hard: 100, Soft: 100 });
  assert.throws(() => parseUlimit('foo=1'), { message: 'invalid argument "foo=1" for "--ulimit" flag: invalid ulimit type: foo' });
  assert.throws(() => parseUlimit('nofile=2048:1024'), { message: /soft limit must be less than or equal to hard limit: 2048 > 1024/ });
  assert.throws(() => parseUlimit('nofile'), { message: /invalid ulimit argument: nofile/ });
  assert.deepEqual(rlimits([{ Name: 'nproc', Hard: 5, Soft: 5 }], 1000), [
    { type: 'RLIMIT_NOFILE', hard: 1000, soft: 1000 },
    { type: 'RLIMIT_NPROC', hard: 5, soft: 5 },
  ]);
  assert.deepEqual(rlimits([{ Name: 'nofile', Hard: 9, Soft: 8 }], 1000), [{ type: 'RLIMIT_NOFILE', hard: 9, soft: 8 }]);
});
