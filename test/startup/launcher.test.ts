/**
 * bin/wharf's launcher (see its header): the V8 code cache must only ever be used for the
 * exact bundle and node configuration it was made for, a bad one must be ignored and
 * replaced, and NODE_EXTRA_CA_CERTS, which the launcher keeps from node's start-up, must
 * still reach TLS and child processes. Each test runs a copy of bin/wharf and the built
 * bundle in a temp tree, so the checkout's own cache is never touched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import vm from 'node:vm';
import { tempDir, removeDir, WHARF_BIN } from '../helpers/wharf.js';

const repo = resolve(import.meta.dirname, '../..');
const builtBundle = join(repo, 'dist', 'bundle', 'wharf.cjs');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  status: string;
}

/** A temp tree with bin/wharf and `bundle` (the built one by default) as dist/bundle/wharf.cjs. */
function makeTree(bundleText?: string): { dir: string; bin: string; bundle: string; caches: () => string[] } {
  const dir = tempDir('wharf-launcher-');
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'dist', 'bundle'), { recursive: true });
  copyFileSync(WHARF_BIN, join(dir, 'bin', 'wharf'));
  copyFileSync(join(repo, 'bin', 'package.json'), join(dir, 'bin', 'package.json'));
  const bundle = join(dir, 'dist', 'bundle', 'wharf.cjs');
  if (bundleText === undefined) copyFileSync(builtBundle, bundle);
  else writeFileSync(bundle, bundleText);
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  const caches = () => readdirSync(join(dir, 'dist', 'bundle')).filter((f) => f.endsWith('.cache'));
  return { dir, bin: join(dir, 'bin', 'wharf'), bundle, caches };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(cmd, args, { env: { ...process.env, WHARF_DEBUG_CODE_CACHE: '1', ...env } }, (err, stdout, stderr) => {
      const status = /wharf: code cache (\w+)/.exec(stderr)?.[1] ?? '?';
      done({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr, status });
    });
  });
}

test('the code cache is used when it matches, and a stale, corrupt or foreign one is ignored and replaced', async () => {
  const t = makeTree();
  const root = join(t.dir, 'root');
  const wharf = (...args: string[]) => run(t.bin, ['--root', root, ...args]);
  try {
    let r = await wharf('images');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^REPOSITORY\s+TAG\s+IMAGE ID/);
    assert.equal(r.status, 'missing');
    assert.equal(t.caches().length, 1, 'a run without a cache writes one');
    const cacheFile = join(t.dir, 'dist', 'bundle', t.caches()[0]!);
    r = await wharf('images');
    assert.equal([r.code, r.status].join(' '), '0 used');

    // A flipped byte in V8's payload: the checksum catches it.
    const good = readFileSync(cacheFile);
    const bad = Buffer.from(good);
    bad[bad.length - 100] ^= 0xff;
    writeFileSync(cacheFile, bad);
    r = await wharf('ps', '-a');
    assert.equal([r.code, r.status].join(' '), '0 invalid');
    assert.equal((await wharf('ps', '-a')).status, 'used', 'the bad cache was replaced');

    // Truncated, and not a cache at all.
    writeFileSync(cacheFile, good.subarray(0, 20));
    assert.equal((await wharf('version')).status, 'invalid');
    writeFileSync(cacheFile, 'hello');
    assert.equal((await wharf('version')).status, 'invalid');

    // A well-formed cache whose payload V8 made for other source: V8 refuses it.
    const foreign = new vm.Script('(function () { return 1; })').createCachedData();
    const header = good.subarray(0, good.indexOf(10) + 1 + 8);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc32(foreign), 0);
    writeFileSync(cacheFile, Buffer.concat([header, sum, foreign]));
    r = await wharf('images');
    assert.equal([r.code, r.status].join(' '), '0 rejected');
    assert.equal((await wharf('images')).status, 'used');

    // A changed bundle makes the cache stale.
    appendFileSync(t.bundle, '\n// rebuilt\n');
    r = await wharf('images');
    assert.equal([r.code, r.status].join(' '), '0 stale');
    assert.equal((await wharf('images')).status, 'used');

    // Other node flags get their own cache instead of fighting over one.
    const flagged = [process.execPath, '--max-semi-space-size=8', t.bin, '--root', root, 'images'] as const;
    r = await run(flagged[0], flagged.slice(1));
    assert.equal([r.code, r.status].join(' '), '0 missing');
    assert.equal(t.caches().length, 2);
    assert.equal((await run(flagged[0], flagged.slice(1))).status, 'used');
    assert.equal((await wharf('images')).status, 'used');

    assert.equal((await run(t.bin, ['--root', root, 'images'], { WHARF_NO_CODE_CACHE: '1' })).status, 'off');
  } finally {
    removeDir(t.dir);
  }
});

test('without a bundle the launcher says how to build', async () => {
  const t = makeTree('');
  try {
    rmSync(t.bundle);
    const r = await run(t.bin, ['version']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^wharf is not built yet: run 'npm run build' in /);
  } finally {
    removeDir(t.dir);
  }
});

test('NODE_EXTRA_CA_CERTS still reaches TLS and child processes', async () => {
  const dir = tempDir('wharf-launcher-ca-');
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => res.end('hello'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // A stand-in bundle: fetch over https, then show the environment a child would get.
  const t = makeTree(`
    exports.main = async () => 0;
    exports.run = async () => {
      const https = require('node:https');
      await new Promise((done) => https.get(process.env.URL, (res) => { res.resume(); console.log('status ' + res.statusCode); res.on('end', done); })
        .on('error', (e) => { console.log('error ' + e.code); done(); }));
      console.log('child ' + require('node:child_process').execFileSync('sh', ['-c', 'echo "$NODE_EXTRA_CA_CERTS|$__WHARF_NODE_EXTRA_CA_CERTS"'], { encoding: 'utf8' }).trim());
      return 0;
    };
  `);
  try {
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const trusted = await run(t.bin, [], { URL: url, NODE_EXTRA_CA_CERTS: cert });
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.deepEqual(trusted.stdout.trim().split('\n'), ['status 200', `child ${cert}|`]);
    const env: NodeJS.ProcessEnv = { ...process.env, URL: url };
    delete env.NODE_EXTRA_CA_CERTS;
    const untrusted = await new Promise<string>((done) => execFile(t.bin, [], { env }, (_e, stdout) => done(stdout.trim())));
    assert.match(untrusted, /^error (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\nchild \|$/);
  } finally {
    server.close();
    removeDir(t.dir);
    removeDir(dir);
  }
});
