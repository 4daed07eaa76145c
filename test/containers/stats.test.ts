/**
 * `stats --no-stream` end to end: docker's columns and formats (checked against docker 20.10),
 * a busy container's CPU share, a memory limit as the limit, zeros for a stopped container.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { busyboxFixture } from './helpers/fixture.js';

describe('containers: stats', () => {
  const fx = busyboxFixture();

  test('--no-stream: one reading per container, in docker\'s table and json forms', () => {
    const busy = fx.ok(['run', '-d', '--name', 'busy', '--network', 'none', '-m', '64m', fx.img, 'sh', '-c', 'while :; do :; done']).trim();
    fx.ok(['create', '--name', 'idle', '--network', 'none', fx.img, 'true']);
    try {
      const table = fx.ok(['stats', '--no-stream']).split('\n');
      assert.match(table[0]!, /^CONTAINER ID {3}NAME {2,}CPU % {2,}MEM USAGE \/ LIMIT {2,}MEM % {2,}NET I\/O {2,}BLOCK I\/O {2,}PIDS$/);
      assert.equal(table.length, 3, 'only the running container');
      const row = JSON.parse(fx.ok(['stats', '--no-stream', '--format', '{{json .}}', 'busy']));
      assert.deepEqual(Object.keys(row), ['BlockIO', 'CPUPerc', 'Container', 'ID', 'MemPerc', 'MemUsage', 'Name', 'NetIO', 'PIDs']);
      assert.deepEqual([row.Container, row.ID, row.Name, row.PIDs, row.NetIO], ['busy', busy.slice(0, 12), 'busy', '1', '0B / 0B']);
      assert.ok(parseFloat(row.CPUPerc) > 10, `a busy loop at ${row.CPUPerc}`);
      assert.match(row.MemUsage, /^\d+(\.\d+)?[KM]iB \/ 64MiB$/);
      assert.equal(fx.ok(['stats', '--no-stream', '--format', '{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}', 'idle']), 'idle 0.00% 0B / 0B 0\n');
      assert.equal(fx.ok(['stats', '--no-stream', '--no-trunc', '--format', '{{.ID}}', 'busy']), `${busy}\n`);
      const r = fx.wharf(['stats', '--no-stream', 'nosuch']);
      assert.deepEqual([r.code, r.stderr], [1, 'Error response from daemon: No such container: nosuch\n']);
    } finally {
      fx.ok(['rm', '-f', 'busy', 'idle']);
    }
  });
});
