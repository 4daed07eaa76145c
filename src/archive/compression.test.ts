import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { compress, decompress, detectCompression, hasCommand } from './compression.js';
import { isWharfError } from '../core/errors.js';

async function drain(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

// compressible but not trivial: random words
const plain = Buffer.from(Array.from({ length: 40000 }, (_, i) => `line ${i} ${randomBytes(4).toString('hex')}\n`).join(''));

const encoders: Record<string, string[]> = { gzip: ['gzip', '-c'], bzip2: ['bzip2', '-c'], xz: ['xz', '-c'], zstd: ['zstd', '-c', '-q'] };

for (const [kind, cmd] of Object.entries(encoders)) {
  test(`detects and decodes ${kind}`, async (t) => {
    if (!hasCommand(cmd[0]!)) return t.skip(`${cmd[0]} not installed`);
    const packed = execFileSync(cmd[0]!, cmd.slice(1), { input: plain, maxBuffer: 1 << 28 });
    assert.equal(detectCompression(packed.subarray(0, 8)), kind);
    // tiny first chunks exercise the peek across chunks
    const input = Readable.from([packed.subarray(0, 1), packed.subarray(1, 3), packed.subarray(3)], { objectMode: false });
    const { kind: got, stream } = await decompress(input);
    assert.equal(got, kind);
    assert.ok((await drain(stream)).equals(plain));
  });

  test(`truncated ${kind} is CORRUPT`, async (t) => {
    if (!hasCommand(cmd[0]!)) return t.skip(`${cmd[0]} not installed`);
    const packed = execFileSync(cmd[0]!, cmd.slice(1), { input: plain, maxBuffer: 1 << 28 });
    const { stream } = await decompress(Readable.from([packed.subarray(0, packed.length >> 1)]));
    await assert.rejects(drain(stream), (e) => isWharfError(e, 'CORRUPT') && e.message.startsWith(`corrupt ${kind}`));
  });
}

test('plain input passes through untouched', async () => {
  assert.equal(detectCompression(Buffer.from('hello')), 'none');
  const { kind, stream } = await decompress(Readable.from([plain]));
  assert.equal(kind, 'none');
  assert.ok((await drain(stream)).equals(plain));
  const empty = await decompress(Readable.from([], { objectMode: false }));
  assert.equal((await drain(empty.stream)).length, 0);
});

test('compress gzip and zstd round-trip, deterministically', async (t) => {
  const a = await drain(compress(Readable.from([plain]), 'gzip'));
  const b = await drain(compress(Readable.from([plain]), 'gzip'));
  assert.ok(a.equals(b));
  assert.equal(detectCompression(a), 'gzip');
  assert.ok((await drain((await decompress(Readable.from([a]))).stream)).equals(plain));
  if (!hasCommand('zstd')) return t.skip('zstd not installed');
  const z = await drain(compress(Readable.from([plain]), 'zstd', 1));
  assert.equal(detectCompression(z), 'zstd');
  assert.ok((await drain((await decompress(Readable.from([z]))).stream)).equals(plain));
});

test('no decoder process is left behind when the consumer aborts or the input fails', async (t) => {
  if (!hasCommand('xz')) return t.skip('xz not installed');
  const packed = execFileSync('xz', ['-c', '-0'], { input: Buffer.concat(Array(50).fill(plain)), maxBuffer: 1 << 30 });
  const before = children();
  const { stream } = await decompress(Readable.from([packed]));
  stream.once('data', () => stream.destroy());
  await new Promise((r) => stream.on('close', r));
  await waitFor(() => children() === before);
  assert.equal(children(), before);

  const failing = new Readable({ read() {} });
  failing.push(gzipSync(plain).subarray(0, 100));
  const dec = await decompress(failing);
  const rejected = assert.rejects(drain(dec.stream), /input broke/);
  failing.destroy(new Error('input broke'));
  await rejected;
  await waitFor(() => children() === before);
  assert.equal(children(), before);
});

function children(): number {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid)]).toString().trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

async function waitFor(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
}
