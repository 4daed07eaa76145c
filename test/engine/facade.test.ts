/**
 * The engine facade as the coming API server will call it, in-process on a data root the CLI
 * also uses: logs as an async iterable (follow, and an AbortSignal that ends it), wait with
 * an AbortSignal, top's {Titles, Processes}, rename, prune's reclaimed bytes, raw stats, and
 * the lease `withLease` holds (a layer ingested under it survives `system check --prune`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { Engine } from '../../src/engine/engine.js';
import {
  containerLogs, listContainers, pruneContainers, renameContainer, sampleStats, topContainer, waitContainer,
} from '../../src/engine/containers.js';
import { checkStore } from '../../src/engine/check.js';
import { Filters } from '../../src/core/filters.js';
import { Fixture } from '../containers/helpers/fixture.js';

const why = process.getuid?.() !== 0 ? 'containers need root' : '';

describe('engine facade', { skip: why || false }, () => {
  const fx = new Fixture();
  let engine: Engine;
  let img = '';
  before(() => {
    img = fx.busybox();
    engine = Engine.open({ root: fx.root });
  });
  after(() => {
    engine?.close();
    fx.cleanup();
  });

  test('logs: stored lines, then followed ones until the signal aborts', async () => {
    const id = fx.ok(['run', '-d', '--network', 'none', img, 'sh', '-c', 'echo one; echo two >&2; sleep 1; echo three; sleep 300']).trim();
    const abort = new AbortController();
    const seen: string[] = [];
    const deadline = setTimeout(() => abort.abort(), 20000);
    for await (const l of containerLogs(engine, id, { follow: true, signal: abort.signal })) {
      seen.push(`${l.stream}:${l.log}`);
      if (seen.length === 3) abort.abort();
    }
    clearTimeout(deadline);
    assert.deepEqual(seen.sort(), ['stderr:two\n', 'stdout:one\n', 'stdout:three\n']);
    const tail = [];
    for await (const l of containerLogs(engine, id, { tail: 1 })) tail.push(l.log);
    assert.deepEqual(tail, ['three\n']);
    fx.ok(['rm', '-f', id]);
  });

  test('wait gives up when its signal aborts; top and stats return data, not text', async () => {
    const id = fx.ok(['run', '-d', '--network', 'none', img, 'sleep', '300']).trim();
    const abort = new AbortController();
    const waiting = waitContainer(engine, id, { signal: abort.signal });
    setTimeout(() => abort.abort(new Error('gave up')), 200);
    await assert.rejects(waiting, /gave up/);
    const top = await topContainer(engine, id);
    assert.equal(top.Titles.includes('PID'), true, top.Titles.join(' '));
    assert.equal(top.Processes.length, 1);
    assert.equal(top.Processes[0]![top.Titles.indexOf('CMD')], 'sleep 300');
    const s = sampleStats(engine, id);
    assert.equal(s.id, id);
    assert.ok(s.pids >= 1 && s.memory > 0 && s.limit > 0 && s.onlineCpus > 0, JSON.stringify(s));
    fx.ok(['rm', '-f', id]);
  });

  test('rename, then prune: the stopped containers go and the bytes they wrote are reported', async () => {
    const id = fx.ok(['create', '--name', 'before', '--network', 'none', img, 'true']).trim();
    renameContainer(engine, 'before', 'after');
    assert.equal((await listContainers(engine, { all: true })).find((c) => c.Id === id)?.Names[0], '/after');
    assert.throws(() => renameContainer(engine, 'after', 'after'), /same name/);
    fx.ok(['run', '--name', 'writer', '--network', 'none', img, 'sh', '-c', 'head -c 100000 /dev/zero > /big']);
    const report = await pruneContainers(engine, Filters.fromArgs([]));
    assert.equal(report.ContainersDeleted.length, 2);
    assert.ok(report.SpaceReclaimed >= 100000 && report.SpaceReclaimed < 200000, String(report.SpaceReclaimed));
    assert.equal(fx.ok(['container', 'prune', '-f']), 'Total reclaimed space: 0B\n');
  });

  test('a layer ingested under withLease survives system check --prune until the lease ends', async () => {
    let diffId = '';
    await engine.withLease(async () => {
      // An empty layer (a tar of two zero blocks) is enough: what matters is who keeps its blob.
      diffId = (await engine.images.ingestLayer(Readable.from([Buffer.alloc(1024)]))).diffId;
      await checkStore(engine, { prune: true });
      assert.equal(engine.content.has(diffId as never), true, 'leased: kept');
    });
    await checkStore(engine, { prune: true });
    assert.equal(engine.content.has(diffId as never), false, 'no image uses it once the lease is gone');
  });
});
