import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyChange, splitWords } from './changes.js';
import type { ContainerConfig } from './types.js';

test('CMD and ENTRYPOINT take JSON or shell form', () => {
  const c: ContainerConfig = {};
  applyChange(c, 'CMD ["sh","-c","echo hi"]');
  assert.deepEqual(c.Cmd, ['sh', '-c', 'echo hi']);
  applyChange(c, 'ENTRYPOINT top -b');
  assert.deepEqual(c.Entrypoint, ['/bin/sh', '-c', 'top -b']);
});

test('ENV, LABEL, EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL, ONBUILD', () => {
  const c: ContainerConfig = { Env: ['A=1'] };
  applyChange(c, 'ENV A=2 B="two words"');
  applyChange(c, 'ENV C legacy value');
  applyChange(c, 'LABEL maintainer="me" version=1');
  applyChange(c, 'EXPOSE 80 53/udp');
  applyChange(c, 'VOLUME ["/data"]');
  applyChange(c, 'USER nobody');
  applyChange(c, 'WORKDIR /srv');
  applyChange(c, 'WORKDIR app');
  applyChange(c, 'STOPSIGNAL SIGINT');
  applyChange(c, 'ONBUILD RUN true');
  assert.deepEqual(c.Env, ['A=2', 'B=two words', 'C=legacy value']);
  assert.deepEqual(c.Labels, { maintainer: 'me', version: '1' });
  assert.deepEqual(c.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  assert.deepEqual(c.Volumes, { '/data': {} });
  assert.equal(c.User, 'nobody');
  assert.equal(c.WorkingDir, '/srv/app');
  assert.equal(c.StopSignal, 'SIGINT');
  assert.deepEqual(c.OnBuild, ['RUN true']);
});

test('unknown instructions and bad syntax are rejected', () => {
  // docker lowercases the instruction: "run is not a valid change command"
  assert.throws(() => applyChange({}, 'RUN true'), { message: 'run is not a valid change command' });
  assert.throws(() => applyChange({}, 'LABEL novalue'), /LABEL must have two arguments/);
  assert.deepEqual(splitWords(`a "b c" 'd e' f\\ g`), ['a', 'b c', 'd e', 'f g']);
});
