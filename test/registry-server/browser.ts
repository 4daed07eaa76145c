/**
 * Headless Chromium for the web UI tests: Debian's /usr/bin/chromium driven by playwright-core,
 * each launch with a fresh temporary profile and no background network traffic.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AccessRule } from '../../src/registry/server/auth/access.js';
import { hashPassword } from '../../src/registry/server/auth/htpasswd.js';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** false, or why the UI tests must skip. */
export const browserSkip: string | false = existsSync(CHROMIUM) ? false : 'no /usr/bin/chromium (apt-get install chromium)';

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The UI tests' accounts (password "pw"): admin may do anything, viewer may only pull and list. */
export const UI_ACCESS: AccessRule[] = [
  { account: 'admin', name: '*', actions: ['*'] },
  { account: 'admin', type: 'registry', name: '*', actions: ['*'] },
  { account: 'viewer', name: '*', actions: ['pull'] },
  { account: 'viewer', type: 'registry', name: 'catalog', actions: ['*'] },
];

export function writeUiUsers(dir: string): string {
  const users = join(dir, 'htpasswd');
  writeFileSync(users, `admin:${hashPassword('pw', 4)}\nviewer:${hashPassword('pw', 4)}\n`);
  return users;
}

/** Type into the UI's search box and check the repository list narrows to `expected`. */
export async function searchNarrowsTo(page: Page, query: string, expected: string): Promise<void> {
  await page.fill('#search', query);
  await page.waitForFunction(() => document.querySelectorAll('#repos li').length === 1);
  assert.equal(await page.textContent('#repos li'), expected);
}

/** Open `repo`, press the delete button of `tag`, confirm, and wait for its row to go. */
export async function deleteTagInUi(page: Page, repo: string, tag: string): Promise<void> {
  page.on('dialog', (d) => void d.accept());
  await page.click(`li[data-repo="${repo}"]`);
  await page.waitForSelector(`tr[data-tag="${tag}"] button.delete`);
  await page.click(`tr[data-tag="${tag}"] button.delete`);
  await page.waitForFunction((t) => !document.querySelector(`tr[data-tag="${t}"]`), tag);
}
