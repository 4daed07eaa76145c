/** config.json credentials: Docker's format, unknown keys kept, mode 0600, helpers over stdin/stdout. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile, chmod, mkdir, symlink, lstat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialStore, credentialKey } from './credentials.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'wharf-creds-'));
}

test('credentialKey: Docker Hub uses its index URL', () => {
  assert.equal(credentialKey('docker.io'), 'https://index.docker.io/v1/');
  assert.equal(credentialKey('localhost:5000'), 'localhost:5000');
  assert.equal(credentialKey('https://myreg.example:5000/v2/'), 'myreg.example:5000');
});

test('store/get/erase in auths, keeping unknown keys, mode 0600', async () => {
  const dir = await tempDir();
  try {
    await writeFile(join(dir, 'config.json'), JSON.stringify({ psFormat: 'table {{.ID}}', auths: { 'other:1': { auth: 'eDp5' } } }));
    const s = new CredentialStore({ dir, env: {} });
    await s.store('127.0.0.1:5000', { username: 'alice', password: 'pa:ss' });
    const raw = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    assert.equal(raw.psFormat, 'table {{.ID}}');
    assert.equal(raw.auths['127.0.0.1:5000'].auth, Buffer.from('alice:pa:ss').toString('base64'));
    assert.equal(raw.auths['other:1'].auth, 'eDp5');
    assert.equal((await stat(join(dir, 'config.json'))).mode & 0o777, 0o600);
    assert.deepEqual(await s.get('127.0.0.1:5000'), { username: 'alice', password: 'pa:ss' });
    assert.deepEqual(await s.get('other:1'), { username: 'x', password: 'y' });
    assert.equal(await s.get('nothere:1'), undefined);
    assert.equal(await s.erase('127.0.0.1:5000'), true);
    assert.equal(await s.get('127.0.0.1:5000'), undefined);
    assert.equal(await s.erase('127.0.0.1:5000'), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('entries keyed by URL are found by host', async () => {
  const dir = await tempDir();
  try {
    const auth = Buffer.from('u:p').toString('base64');
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { 'https://reg.example:5000/v1/': { auth } } }));
    assert.deepEqual(await new CredentialStore({ dir, env: {} }).get('reg.example:5000'), { username: 'u', password: 'p' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('credsStore and credHelpers run docker-credential helpers', async () => {
  const dir = await tempDir();
  const bin = join(dir, 'bin');
  await mkdir(bin);
  const db = join(dir, 'helper-db');
  // A tiny helper keeping one JSON file per server URL.
  const script = `#!/bin/sh
set -e
read -r input || true
key=$(printf %s "$input" | sed -n 's/.*"ServerURL":"\\([^"]*\\)".*/\\1/p')
[ -n "$key" ] || key="$input"
f="${db}/$(printf %s "$key" | tr '/:' '__')"
case "$1" in
  store) mkdir -p "${db}"; printf %s "$input" > "$f" ;;
  get) [ -f "$f" ] || { echo "credentials not found in native keychain"; exit 1; }; cat "$f" ;;
  erase) [ -f "$f" ] || { echo "credentials not found in native keychain"; exit 1; }; rm "$f" ;;
esac
`;
  await writeFile(join(bin, 'docker-credential-fake'), script);
  await chmod(join(bin, 'docker-credential-fake'), 0o755);
  try {
    const env = { PATH: `${bin}:${process.env.PATH}` };
    await writeFile(join(dir, 'config.json'), JSON.stringify({ credsStore: 'fake', credHelpers: { 'special:1': 'missing' } }));
    const s = new CredentialStore({ dir, env });
    await s.store('docker.io', { username: 'bob', password: 'hunter2' });
    const raw = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    assert.deepEqual(raw.auths['https://index.docker.io/v1/'], {}, 'no secret in the file');
    assert.deepEqual(await s.get('docker.io'), { username: 'bob', password: 'hunter2' });
    assert.equal(await s.erase('docker.io'), true);
    assert.equal(await s.get('docker.io'), undefined);
    await assert.rejects(s.get('special:1'), /docker-credential-missing/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a symlinked config.json stays a symlink (its target is rewritten, 0600); a directory there is refused, never replaced', async () => {
  const dir = await tempDir();
  try {
    const dotfiles = join(dir, 'dotfiles');
    const conf = join(dir, 'conf');
    await mkdir(dotfiles);
    await mkdir(conf);
    await writeFile(join(dotfiles, 'docker.json'), JSON.stringify({ psFormat: 'x' }));
    await chmod(join(dotfiles, 'docker.json'), 0o640);
    await symlink('../dotfiles/docker.json', join(conf, 'config.json'));
    await new CredentialStore({ dir: conf, env: {} }).store('r:1', { username: 'a', password: 'b' });
    assert.ok((await lstat(join(conf, 'config.json'))).isSymbolicLink());
    const raw = JSON.parse(await readFile(join(dotfiles, 'docker.json'), 'utf8'));
    assert.deepEqual([raw.psFormat, raw.auths['r:1'].auth], ['x', Buffer.from('a:b').toString('base64')]);
    assert.equal((await stat(join(dotfiles, 'docker.json'))).mode & 0o777, 0o600);
    // A dangling symlink: the file it names is created, 0600.
    await rm(join(conf, 'config.json'));
    await symlink('../dotfiles/new.json', join(conf, 'config.json'));
    await new CredentialStore({ dir: conf, env: {} }).store('r:1', { username: 'a', password: 'b' });
    assert.ok((await lstat(join(conf, 'config.json'))).isSymbolicLink());
    assert.equal((await stat(join(dotfiles, 'new.json'))).mode & 0o777, 0o600);
    // Something that is not a regular file is never renamed over.
    const odd = join(dir, 'odd');
    await mkdir(join(odd, 'config.json'), { recursive: true });
    await assert.rejects(new CredentialStore({ dir: odd, env: {} }).store('r:1', { username: 'a', password: 'b' }), /EISDIR|cannot write to a directory/);
    assert.ok((await stat(join(odd, 'config.json'))).isDirectory());
    assert.deepEqual(await readdir(odd), ['config.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
