/**
 * The web UI in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core):
 * repositories, tag details, search, and tag deletion offered only to users allowed to delete.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip, deleteTagInUi, launchChromium, searchNarrowsTo, UI_ACCESS, writeUiUsers } from './browser.js';
import { pushImage, startRegistry, tempDir, type TestRegistry } from './helpers.js';

const basic = (u: string, p: string) => ({ Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });

describe('web UI', { skip: browserSkip }, () => {
  let reg: TestRegistry;
  let browser: import('playwright-core').Browser;
  let digest = '';
  before(async () => {
    const dir = tempDir();
    const users = writeUiUsers(dir);
    reg = await startRegistry({
      auth: { htpasswd: { path: users }, access: UI_ACCESS },
    }, dir);
    const img = await pushImage(reg.url, 'web/frontend', 'v1', basic('admin', 'pw'));
    digest = img.digest;
    await pushImage(reg.url, 'web/frontend', 'v2', basic('admin', 'pw'));
    await pushImage(reg.url, 'db/postgres', 'v1', basic('admin', 'pw'));
    // untrusted config fields: a script as the creation time, markup as the platform
    await pushImage(reg.url, 'evil/app', 'bad', basic('admin', 'pw'), { created: '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>', os: '<b>linux</b>' });
    await pushImage(reg.url, 'evil/app', 'good', basic('admin', 'pw'));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await reg.stop();
  });

  async function open(user: string) {
    const context = await browser.newContext({ httpCredentials: { username: user, password: 'pw' } });
    const page = await context.newPage();
    await page.goto(`${reg.url}/`);
    await page.waitForSelector('#repos li[data-repo]');
    return { context, page };
  }

  test('lists repositories and shows tag details', async () => {
    const { context, page } = await open('admin');
    try {
      assert.deepEqual(await page.$$eval('#repos li', (els) => els.map((e) => e.textContent)), ['db/postgres', 'evil/app', 'web/frontend']);
      await page.click('li[data-repo="web/frontend"]');
      await page.waitForSelector('tr[data-tag="v2"] td.layers');
      const row = await page.$eval('tr[data-tag="v1"]', (r) => [...r.querySelectorAll('td')].map((td) => td.textContent));
      assert.equal(row[0], 'v1');
      assert.equal(row[1], digest);
      assert.match(row[2]!, /^\d+(\.\d)?(B|kB)$/);
      assert.match(row[3]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.equal(row[4], 'linux/amd64');
      assert.equal(row[5], '1');
    } finally {
      await context.close();
    }
  });

  test('hostile config fields show as text: the tag table stays whole and no script runs', async () => {
    const { context, page } = await open('admin');
    try {
      await page.click('li[data-repo="evil/app"]');
      await page.waitForSelector('tr[data-tag="good"] td.layers');
      await page.waitForSelector('tr[data-tag="bad"] td.layers');
      const bad = await page.$eval('tr[data-tag="bad"]', (r) => [...r.querySelectorAll('td')].map((td) => td.textContent));
      assert.match(bad[3]!, /^<img src=x/, 'the unreadable time is shown as text');
      const good = await page.$eval('tr[data-tag="good"]', (r) => [...r.querySelectorAll('td')].map((td) => td.textContent));
      assert.match(good[3]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.equal(await page.$$eval('tr[data-tag] img, tr[data-tag] script, tr[data-tag] b', (els) => els.length), 0);
      assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    } finally {
      await context.close();
    }
  });

  test('search narrows the repository list', async () => {
    const { context, page } = await open('admin');
    try {
      await searchNarrowsTo(page, 'postgres', 'db/postgres');
    } finally {
      await context.close();
    }
  });

  test('an authorised user deletes a tag; a read-only user gets no delete button', async () => {
    const viewer = await open('viewer');
    try {
      await viewer.page.click('li[data-repo="web/frontend"]');
      await viewer.page.waitForSelector('tr[data-tag="v2"] td.layers');
      assert.equal(await viewer.page.$$eval('button.delete', (b) => b.length), 0);
    } finally {
      await viewer.context.close();
    }
    const { context, page } = await open('admin');
    try {
      await deleteTagInUi(page, 'web/frontend', 'v2');
      const tags = await (await fetch(`${reg.url}/v2/web/frontend/tags/list`, { headers: basic('admin', 'pw') })).json();
      assert.deepEqual(tags.tags, ['v1']);
    } finally {
      await context.close();
    }
  });
});
