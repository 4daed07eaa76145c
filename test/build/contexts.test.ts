/**
 * Remote contexts: a tarball URL (served on 127.0.0.1), a URL of a plain Dockerfile, a git
 * repository with a submodule (`URL#ref:subdir`), and their errors.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { tempDir, wharfOk, WHARF_BIN, type RunResult } from '../helpers/wharf.js';
import { buildRoot, context } from './helpers.js';

/** The server answers from this process: the build must not block it. */
function buildAsync(root: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(WHARF_BIN, ['--root', root, 'build', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

let root: string;
let server: Server;
let base: string;
const files = new Map<string, Buffer>();

before(async () => {
  root = await buildRoot();
  server = createServer((req, res) => {
    const body = files.get(req.url ?? '');
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('a tarball URL and a Dockerfile URL', async () => {
  const dir = context({ 'a.txt': 'from url\n', Dockerfile: 'FROM bb\nCOPY a.txt /a\n' });
  const tgz = join(tempDir(), 'ctx.tgz');
  execFileSync('tar', ['-czf', tgz, '-C', dir, '.']);
  files.set('/ctx.tgz', readFileSync(tgz));
  files.set('/Dockerfile', Buffer.from('FROM bb\nRUN echo only a dockerfile\n'));
  const r = await buildAsync(root, ['-t', 'url-ctx', `${base}/ctx.tgz`]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(wharfOk(root, ['run', '--rm', 'url-ctx', 'cat', '/a']), 'from url\n');
  const d = await buildAsync(root, [`${base}/Dockerfile`]);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /\nonly a dockerfile\n/);
  const missing = await buildAsync(root, [`${base}/nope.tgz`]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /unable to prepare context: unable to download remote context .*nope\.tgz: failed to GET .* with status 404/);
});

test('a git repository with a submodule, at a ref and a subdirectory', async () => {
  const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', '-c', 'protocol.file.allow=always', ...args], { cwd, stdio: 'pipe' });
  const sub = tempDir('wharf-git-sub-');
  git(sub, 'init', '-q');
  writeFileSync(join(sub, 's.txt'), 'in submodule\n');
  git(sub, 'add', '.');
  git(sub, 'commit', '-qm', 's');
  const repo = context({ 'app/Dockerfile': 'FROM bb\nCOPY . /src\n', 'app/f.txt': 'v1\n' });
  git(repo, 'init', '-q');
  git(repo, 'submodule', 'add', '-q', sub, 'app/mod');
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'one');
  git(repo, 'tag', 'v1');
  writeFileSync(join(repo, 'app/f.txt'), 'v2\n');
  git(repo, 'commit', '-qam', 'two');
  const r = await buildAsync(root, ['-t', 'git-ctx', `file://${repo}/.git#v1:app`]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(wharfOk(root, ['run', '--rm', 'git-ctx', 'cat', '/src/f.txt', '/src/mod/s.txt']), 'v1\nin submodule\n');
  const bad = await buildAsync(root, [`file://${repo}/.git#nosuchref`]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unable to prepare context: unable to 'git clone' to temporary context directory/);
});

test('ADD of a URL: downloaded, not unpacked, mode 0600; --checksum verified', async () => {
  const data = Buffer.from('downloaded\n');
  files.set('/file.txt', data);
  const sum = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  const ok = await buildAsync(root, ['-t', 'add-url', context({ Dockerfile: `FROM bb\nADD ${base}/file.txt /dl/\nADD --checksum=${sum} ${base}/file.txt /checked\n` })]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.equal(wharfOk(root, ['run', '--rm', 'add-url', 'sh', '-c', 'cat /dl/file.txt /checked; stat -c %a /dl/file.txt']), 'downloaded\ndownloaded\n600\n');
  const bad = await buildAsync(root, [context({ Dockerfile: `FROM bb\nADD --checksum=sha256:${'0'.repeat(64)} ${base}/file.txt /x\n` })]);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, `digest mismatch ${sum}: sha256:${'0'.repeat(64)}\n`);
  const unreachable = await buildAsync(root, [context({ Dockerfile: `FROM bb\nADD ${base}/missing /x\n` })]);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /^failed to GET http:\/\/127\.0\.0\.1:\d+\/missing with status 404 Not Found/);
});
