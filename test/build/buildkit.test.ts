/**
 * BuildKit's additions that wharf's builder has too: RUN --mount (cache kept between builds,
 * tmpfs, bind from the context and from a stage, rw binds that never write back, secrets),
 * none of which leaves a trace in the image; --output to a directory or a tar.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { tempDir, wharfOk } from '../helpers/wharf.js';
import { build, buildRoot, context } from './helpers.js';

let root: string;
before(async () => {
  root = await buildRoot();
});

test('RUN --mount: cache, tmpfs, bind (context, stage, rw), secret; no mount point in the image', () => {
  const secret = join(tempDir(), 'token');
  writeFileSync(secret, 's3cret\n');
  const dir = context({
    'c.txt': 'ctxfile\n',
    Dockerfile: [
      'FROM bb AS src',
      'RUN echo from-stage > /stagefile',
      'FROM bb',
      'RUN --mount=type=cache,target=/cache echo run >> /cache/log && wc -l < /cache/log',
      'RUN --mount=type=tmpfs,target=/scratch touch /scratch/x && ls /scratch',
      'RUN --mount=type=bind,target=/ctx cat /ctx/c.txt',
      'RUN --mount=type=bind,from=src,source=/stagefile,target=/sf cat /sf',
      'RUN --mount=type=secret,id=tok cat /run/secrets/tok',
      'RUN --mount=type=bind,target=/ctx,rw touch /ctx/new && ls /ctx',
      '',
    ].join('\n'),
  });
  const r = build(root, ['--secret', `id=tok,src=${secret}`, '-t', 'mounts', dir]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  for (const want of ['\n1\n', '\nx\n', '\nctxfile\n', '\nfrom-stage\n', '\ns3cret\n', '\nDockerfile\nc.txt\nnew\n']) assert.ok(r.stdout.includes(want), `${JSON.stringify(want)} in ${r.stdout}`);
  assert.equal(existsSync(join(dir, 'new')), false, 'an rw bind never writes to the context');
  const again = build(root, ['--no-cache', '--secret', `id=tok,src=${secret}`, dir]);
  assert.match(again.stdout, /cache\/log\n ---> Running in \w+\n2\n/, 'the cache mount keeps its files between builds');
  assert.equal(wharfOk(root, ['run', '--rm', 'mounts', 'sh', '-c', 'ls -d /cache /scratch /ctx /sf /run/secrets 2>/dev/null; echo end']), 'end\n');
  const h = wharfOk(root, ['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'mounts']).split('\n');
  assert.equal(h[1], '--mount=type=secret,id=tok /bin/sh -c cat /run/secrets/tok');
  assert.doesNotMatch(wharfOk(root, ['save', 'mounts']), /s3cret/);
  const missing = build(root, [context({ Dockerfile: 'FROM bb\nRUN --mount=type=secret,id=nope,required cat /run/secrets/nope\n' })]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'secret nope not found\n');
  // the cache mount's directory is the Build Cache of system df; builder prune removes it
  assert.match(wharfOk(root, ['system', 'df']), /^Build Cache +1 +0 +\d+B +\d+B \(100%\)$/m);
  assert.match(wharfOk(root, ['builder', 'prune', '-f']), /^Deleted build cache objects:\n[0-9a-f]{32}\n\nTotal reclaimed space: \d+B\n$/);
  assert.match(wharfOk(root, ['system', 'df']), /^Build Cache +0 +0 +0B +0B$/m);
  assert.equal(wharfOk(root, ['builder', 'prune', '-f']), 'Total reclaimed space: 0B\n');
});

test('--output type=local and type=tar export the final stage files instead of an image', () => {
  const dir = context({ Dockerfile: 'FROM bb AS b\nRUN mkdir /out && echo artifact > /out/app\nFROM scratch\nCOPY --from=b /out/app /app\n' });
  const dest = join(tempDir(), 'out');
  const before = wharfOk(root, ['images', '-a', '-q']);
  const r = build(root, ['--output', `type=local,dest=${dest}`, dir]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(readdirSync(dest), ['app']);
  assert.equal(readFileSync(join(dest, 'app'), 'utf8'), 'artifact\n');
  const tar = join(tempDir(), 'out.tar');
  const t = build(root, ['-o', `type=tar,dest=${tar}`, dir]);
  assert.equal(t.code, 0, t.stderr);
  assert.equal(execFileSync('tar', ['-tf', tar]).toString(), 'app\n');
  assert.ok(wharfOk(root, ['images', '-a', '-q']).length >= before.length);
  const bad = build(root, ['--output', 'type=registry', dir]);
  assert.equal(bad.code, 1);
});
