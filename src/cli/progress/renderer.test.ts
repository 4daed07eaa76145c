/** Progress rendering: docker's bar format, in-place redraw on a TTY, plain lines otherwise. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ProgressRenderer, formatProgress } from './renderer.js';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const parts: Buffer[] = [];
  stream.on('data', (c: Buffer) => parts.push(c));
  return { stream, text: () => Buffer.concat(parts).toString('utf8') };
}

test('formatProgress matches jsonmessage', () => {
  assert.equal(formatProgress({ current: 12_300_000, total: 70_000_000 }),
    `[========>${' '.repeat(42)}]   12.3MB/70MB`);
  assert.equal(formatProgress({ current: 70_000_000, total: 70_000_000 }), `[${'='.repeat(50)}>]     70MB/70MB`);
  assert.equal(formatProgress({ current: 0, total: 0 }), '');
  assert.equal(formatProgress({ current: 1500 }), '   1.5kB');
  assert.equal(formatProgress({ current: 5, total: 10 }, 80), '      5B/10B', 'no bar on narrow terminals');
});

test('non-TTY: one plain line per status, bars dropped', () => {
  const { stream, text } = capture();
  const p = new ProgressRenderer(stream, false);
  p.line('latest: Pulling from library/busybox');
  p.update('a1b2c3d4e5f6', 'Pulling fs layer');
  p.update('a1b2c3d4e5f6', 'Downloading', { current: 10, total: 100 });
  p.update('a1b2c3d4e5f6', 'Download complete');
  p.line('Digest: sha256:abc');
  p.close();
  assert.equal(text(), 'latest: Pulling from library/busybox\na1b2c3d4e5f6: Pulling fs layer\na1b2c3d4e5f6: Download complete\nDigest: sha256:abc\n');
});

test('TTY: each ID keeps its line and is redrawn in place', () => {
  const { stream, text } = capture();
  const p = new ProgressRenderer(stream, true);
  p.update('aaaaaaaaaaaa', 'Pulling fs layer');
  p.update('bbbbbbbbbbbb', 'Pulling fs layer');
  p.update('aaaaaaaaaaaa', 'Downloading', { current: 50, total: 100 });
  p.line('Digest: sha256:abc');
  p.update('cccccccccccc', 'Pushed');
  p.close();
  const ESC = '\x1b';
  assert.equal(text(),
    `\n${ESC}[1A${ESC}[2K\raaaaaaaaaaaa: Pulling fs layer \r${ESC}[1B` +
    `\n${ESC}[1A${ESC}[2K\rbbbbbbbbbbbb: Pulling fs layer \r${ESC}[1B` +
    `${ESC}[2A${ESC}[2K\raaaaaaaaaaaa: Downloading [${'='.repeat(25)}>${' '.repeat(25)}]      50B/100B\r${ESC}[2B` +
    'Digest: sha256:abc\n' +
    `\n${ESC}[1A${ESC}[2K\rcccccccccccc: Pushed \r${ESC}[1B`);
});
