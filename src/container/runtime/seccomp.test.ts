import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSeccomp, parseSecurityOpts } from './seccomp.js';

test('the default filter allows by default and refuses the blocked calls and namespace clones', () => {
  const p = defaultSeccomp() as { defaultAction: string; syscalls: { names: string[]; errnoRet: number; args?: { value: number; op: string }[] }[] };
  assert.equal(p.defaultAction, 'SCMP_ACT_ALLOW');
  const blocked = p.syscalls[0]!;
  for (const name of ['unshare', 'setns', 'mount', 'keyctl', 'reboot', 'init_module']) assert.ok(blocked.names.includes(name), name);
  assert.equal(blocked.errnoRet, 1);
  const clones = p.syscalls.filter((s) => s.names[0] === 'clone');
  assert.deepEqual(clones.map((c) => c.args![0]!.value).includes(0x10000000), true, 'CLONE_NEWUSER');
  assert.ok(clones.every((c) => c.args![0]!.op === 'SCMP_CMP_MASKED_EQ'));
  assert.deepEqual(p.syscalls.find((s) => s.names[0] === 'clone3')?.errnoRet, 38);
});

test("--security-opt: docker's forms, and its message for the others", () => {
  assert.deepEqual(parseSecurityOpts([]), { seccomp: true, noNewPrivileges: false });
  assert.deepEqual(parseSecurityOpts(['seccomp=unconfined', 'no-new-privileges']), { seccomp: false, noNewPrivileges: true });
  assert.deepEqual(parseSecurityOpts(['no-new-privileges=false', 'apparmor=unconfined']), { seccomp: true, noNewPrivileges: false });
  assert.throws(() => parseSecurityOpts(['foo']), { message: 'Invalid --security-opt: "foo"' });
  assert.throws(() => parseSecurityOpts(['seccomp=/x.json']), { code: 'UNSUPPORTED' });
});
