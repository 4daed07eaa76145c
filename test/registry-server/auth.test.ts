/** Basic and token auth at the protocol level: challenges, scopes, and nothing leaking. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword } from '../../src/registry/server/auth/htpasswd.js';
import { errorCode, pushImage, startRegistry, tempDir, type TestRegistry } from './helpers.js';

const basic = (u: string, p: string) => ({ Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });

function writeUsers(dir: string): string {
  const file = join(dir, 'htpasswd');
  writeFileSync(file, `alice:${hashPassword('wonder', 4)}\nbob:${hashPassword('builder', 4).replace(/^\$2b\$/, '$2y$')}\n`);
  return file;
}

describe('basic auth', () => {
  let reg: TestRegistry;
  before(async () => {
    const dir = tempDir();
    reg = await startRegistry({
      auth: {
        htpasswd: { path: writeUsers(dir) },
        access: [
          { account: 'alice', name: '*', actions: ['*'] },
          { account: 'alice', type: 'registry', name: '*', actions: ['*'] },
          { account: 'bob', name: 'bob/*', actions: ['pull', 'push'] },
          { account: 'bob', type: 'registry', name: 'catalog', actions: ['*'] },
        ],
      },
    }, dir);
    await pushImage(reg.url, 'secret/app', 'v1', basic('alice', 'wonder'));
    await pushImage(reg.url, 'bob/app', 'v1', basic('bob', 'builder'));
  });
  after(() => reg.stop());

  test('no credentials: 401 with a Basic challenge and the spec body, no data', async () => {
    for (const path of ['/v2/', '/v2/_catalog', '/v2/secret/app/tags/list', '/v2/secret/app/manifests/v1']) {
      const res = await fetch(`${reg.url}${path}`);
      assert.equal(res.status, 401, path);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm=/);
      assert.equal(await errorCode(res), 'UNAUTHORIZED');
    }
  });

  test('wrong password: 401', async () => {
    assert.equal((await fetch(`${reg.url}/v2/`, { headers: basic('alice', 'nope') })).status, 401);
  });

  test('authenticated but out of scope: 403 DENIED, and the catalog hides other repositories', async () => {
    const res = await fetch(`${reg.url}/v2/secret/app/tags/list`, { headers: basic('bob', 'builder') });
    assert.equal(res.status, 403);
    assert.equal(await errorCode(res), 'DENIED');
    const nonexistent = await fetch(`${reg.url}/v2/secret/nothing/tags/list`, { headers: basic('bob', 'builder') });
    assert.equal(nonexistent.status, 403, 'existence must not leak');
    const cat = await (await fetch(`${reg.url}/v2/_catalog`, { headers: basic('bob', 'builder') })).json();
    assert.deepEqual(cat.repositories, ['bob/app']);
    const all = await (await fetch(`${reg.url}/v2/_catalog`, { headers: basic('alice', 'wonder') })).json();
    assert.deepEqual(all.repositories, ['bob/app', 'secret/app']);
  });

  test('$2y$ hashes (htpasswd -B) are accepted', async () => {
    assert.equal((await fetch(`${reg.url}/v2/bob/app/tags/list`, { headers: basic('bob', 'builder') })).status, 200);
  });
});

describe('token auth', () => {
  let reg: TestRegistry;
  before(async () => {
    const dir = tempDir();
    reg = await startRegistry({
      auth: {
        token: { htpasswd: writeUsers(dir) },
        access: [
          { account: 'alice', name: '*', actions: ['*'] },
          { account: 'alice', type: 'registry', name: 'catalog', actions: ['*'] },
          { account: 'anonymous', name: 'public/*', actions: ['pull'] },
        ],
      },
    }, dir);
  });
  after(() => reg.stop());

  async function token(scope: string, creds?: Record<string, string>): Promise<string> {
    const res = await fetch(`${reg.url}/auth/token?service=wharf-registry&scope=${encodeURIComponent(scope)}`, { headers: creds });
    assert.equal(res.status, 200);
    return ((await res.json()) as { token: string }).token;
  }

  test('the challenge names realm, service and scope', async () => {
    const res = await fetch(`${reg.url}/v2/team/app/tags/list`);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), `Bearer realm="${reg.url}/auth/token",service="wharf-registry",scope="repository:team/app:pull"`);
  });

  test('a token for pull,push lets alice push and pull', async () => {
    const t = await token('repository:team/app:pull,push', basic('alice', 'wonder'));
    const img = await pushImage(reg.url, 'team/app', 'v1', { Authorization: `Bearer ${t}` });
    const res = await fetch(`${reg.url}/v2/team/app/manifests/v1`, { headers: { Authorization: `Bearer ${t}` } });
    assert.equal(res.headers.get('docker-content-digest'), img.digest);
  });

  test('a token without push scope gets insufficient_scope', async () => {
    const t = await token('repository:team/app:pull', basic('alice', 'wonder'));
    const res = await fetch(`${reg.url}/v2/team/app/blobs/uploads/`, { method: 'POST', headers: { Authorization: `Bearer ${t}` } });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
  });

  test('anonymous tokens only carry what anonymous rules grant', async () => {
    const t = await token('repository:team/app:pull repository:public/x:pull');
    const claims = JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString());
    assert.deepEqual(claims.access, [{ type: 'repository', name: 'public/x', actions: ['pull'] }]);
    const res = await fetch(`${reg.url}/v2/team/app/tags/list`, { headers: { Authorization: `Bearer ${t}` } });
    assert.equal(res.status, 401);
  });

  test('bad credentials at the token endpoint: 401', async () => {
    const res = await fetch(`${reg.url}/auth/token?service=wharf-registry`, { headers: basic('alice', 'bad') });
    assert.equal(res.status, 401);
  });

  test('a forged or tampered token is refused', async () => {
    const t = await token('repository:team/app:pull', basic('alice', 'wonder'));
    const [h, b, s] = t.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(b, 'base64url').toString());
    claims.access = [{ type: 'repository', name: 'other', actions: ['pull', 'push'] }];
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    const res = await fetch(`${reg.url}/v2/other/tags/list`, { headers: { Authorization: `Bearer ${forged}` } });
    assert.equal(res.status, 401);
  });

  test('the OAuth2 password grant (POST) issues tokens too', async () => {
    const res = await fetch(`${reg.url}/auth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&username=alice&password=wonder&service=wharf-registry&scope=registry:catalog:*&client_id=test',
    });
    assert.equal(res.status, 200);
    const { access_token } = (await res.json()) as { access_token: string };
    assert.equal((await fetch(`${reg.url}/v2/_catalog`, { headers: { Authorization: `Bearer ${access_token}` } })).status, 200);
  });
});
