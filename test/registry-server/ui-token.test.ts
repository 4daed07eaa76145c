/**
 * The web UI under Docker token auth, in headless Chromium: the page has no browser credentials
 * to lean on, so it must show its sign-in form, exchange the user's name and password at the
 * token endpoint (OAuth2 password grant) and call the API with Bearer tokens. Wrong passwords
 * are refused, a read-only user sees no delete button, and an admin deletes a tag.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserSkip, deleteTagInUi, launchChromium, searchNarrowsTo, UI_ACCESS, writeUiUsers } from './browser.js';
import { pushImage, startRegistry, tempDir, type TestRegistry } from './helpers.js';

describe('web UI under token auth', { skip: browserSkip }, () => {
  let reg: TestRegistry;
  let browser: Browser;

  /** A Bearer header for `scopes`, fetched the way docker does (GET with basic credentials). */
  async function bearer(user: string, scopes: string[]): Promise<Record<string, string>> {
    const q = new URLSearchParams({ service: 'wharf-registry' });
    for (const s of scopes) q.append('scope', s);
    const res = await fetch(`${reg.url}/auth/token?${q}`, { headers: { Authorization: `Basic ${Buffer.from(`${user}:pw`).toString('base64')}` } });
    assert.equal(res.status, 200);
    return { Authorization: `Bearer ${((await res.json()) as { token: string }).token}` };
  }

  before(async () => {
    const dir = tempDir();
    reg = await startRegistry({ auth: { token: { htpasswd: writeUiUsers(dir) }, access: UI_ACCESS } }, dir);
    const push = async (repo: string, tag: string) => pushImage(reg.url, repo, tag, await bearer('admin', [`repository:${repo}:pull,push`]));
    await push('web/frontend', 'v1');
    await push('web/frontend', 'v2');
    await push('db/postgres', 'v1');
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await reg.stop();
  });

  async function signIn(page: Page, user: string, password: string) {
    await page.fill('#user', user);
    await page.fill('#password', password);
    await page.click('#login button');
  }

  /** A fresh context (no cookies, no credentials) signed in as `user`. */
  async function open(user: string) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${reg.url}/ui/`);
    await page.waitForSelector('#login:not([hidden])');
    await signIn(page, user, 'pw');
    await page.waitForSelector('#repos li[data-repo]');
    return { context, page };
  }

  test('asks for credentials, refuses a wrong password, then lists with a token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${reg.url}/ui/`);
      await page.waitForSelector('#login:not([hidden])');
      assert.equal(await page.$$eval('#repos li[data-repo]', (l) => l.length), 0);
      await signIn(page, 'admin', 'wrong');
      await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'invalid username or password');
      assert.equal(await page.isVisible('#login'), true);
      await signIn(page, 'admin', 'pw');
      await page.waitForSelector('#repos li[data-repo]');
      assert.deepEqual(await page.$$eval('#repos li', (els) => els.map((e) => e.textContent)), ['db/postgres', 'web/frontend']);
      assert.equal(await page.textContent('#who'), 'signed in as admin');
      const lines = reg.logs.map((l) => JSON.parse(l) as { method: string; path: string; status: number; user?: string });
      assert.ok(lines.some((l) => l.method === 'POST' && l.path === '/auth/token' && l.status === 401), 'the wrong password went to the token endpoint');
      assert.ok(lines.some((l) => l.method === 'POST' && l.path === '/auth/token' && l.status === 200));
      assert.ok(lines.some((l) => l.path === '/v2/_catalog' && l.status === 200 && l.user === 'admin'), 'the catalog was read with the admin token');
    } finally {
      await context.close();
    }
  });

  test('tag details and search work with tokens for each repository', async () => {
    const { context, page } = await open('viewer');
    try {
      await page.click('li[data-repo="web/frontend"]');
      await page.waitForSelector('tr[data-tag="v2"] td.layers');
      const row = await page.$eval('tr[data-tag="v1"]', (r) => [...r.querySelectorAll('td')].map((td) => td.textContent));
      assert.match(row[1]!, /^sha256:[0-9a-f]{64}$/);
      assert.equal(row[4], 'linux/amd64');
      assert.equal(await page.$$eval('button.delete', (b) => b.length), 0, 'a read-only user gets no delete button');
      await searchNarrowsTo(page, 'postgres', 'db/postgres');
    } finally {
      await context.close();
    }
  });

  test('an admin deletes a tag through a delete-scoped token', async () => {
    const { context, page } = await open('admin');
    try {
      await deleteTagInUi(page, 'web/frontend', 'v2');
      const tags = await (await fetch(`${reg.url}/v2/web/frontend/tags/list`, { headers: await bearer('admin', ['repository:web/frontend:pull']) })).json();
      assert.deepEqual(tags.tags, ['v1']);
    } finally {
      await context.close();
    }
  });
});
