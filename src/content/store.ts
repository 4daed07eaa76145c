/**
 * Content-addressed blob store. It knows bytes only (bookkeeping lives in metadata/):
 * every write goes to ingest/, is hashed while streaming, checked against the expected
 * digest and size, fsynced and renamed into blobs/<alg>/<hex>, so a reader never sees a
 * partial blob and a crash leaves at most a stray temp file in ingest/.
 */
import { createReadStream, createWriteStream, promises as fsp, existsSync, readFileSync, statSync, fsyncSync, openSync, closeSync, writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from '../core/random.js';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Digester, digestOf, parseDigest, type Algorithm, type Digest } from '../core/digest.js';
import { WharfError, notFound } from '../core/errors.js';
import { dataLayout } from '../core/layout.js';

export interface BlobInfo {
  digest: Digest;
  size: number;
}

export interface IngestExpectation {
  digest?: Digest;
  size?: number;
  algorithm?: Algorithm;
}

export class ContentStore {
  readonly blobsDir: string;
  readonly ingestDir: string;

  constructor(readonly root: string) {
    this.blobsDir = dataLayout(root).blobs;
    this.ingestDir = dataLayout(root).ingest;
    mkdirSync(join(this.blobsDir, 'sha256'), { recursive: true });
    mkdirSync(this.ingestDir, { recursive: true });
  }

  path(digest: Digest): string {
    const { algorithm, hex } = parseDigest(digest);
    return join(this.blobsDir, algorithm, hex);
  }

  has(digest: Digest): boolean {
    return existsSync(this.path(digest));
  }

  info(digest: Digest): BlobInfo {
    try {
      return { digest, size: statSync(this.path(digest)).size };
    } catch {
      throw notFound(`blob ${digest} not found`);
    }
  }

  read(digest: Digest): Buffer {
    try {
      return readFileSync(this.path(digest));
    } catch {
      throw notFound(`blob ${digest} not found`);
    }
  }

  open(digest: Digest, options?: { start?: number; end?: number }): Readable {
    return createReadStream(this.path(digest), { highWaterMark: 1 << 20, ...options });
  }

  /** A fresh temp path under ingest/ (same filesystem as blobs/, so rename is atomic). */
  tempPath(): string {
    return join(this.ingestDir, `${Date.now()}-${randomBytes(6).toString('hex')}`);
  }

  /** Store small bytes synchronously (configs, manifests). */
  writeBuffer(data: Buffer, expected?: IngestExpectation): BlobInfo {
    const digest = digestOf(data, expected?.algorithm ?? 'sha256');
    verify(digest, data.length, expected);
    const target = this.path(digest);
    if (existsSync(target)) return { digest, size: data.length };
    const tmp = this.tempPath();
    const fd = openSync(tmp, 'w');
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    mkdirSync(join(this.blobsDir, parseDigest(digest).algorithm), { recursive: true });
    renameSync(tmp, target);
    return { digest, size: data.length };
  }

  /**
   * Stream bytes into the store. `observe` sees every chunk (e.g. a tar scanner
   * computing the layer size) without a second read of the data.
   */
  async ingest(source: Readable | AsyncIterable<Buffer>, expected?: IngestExpectation, observe?: (chunk: Buffer) => void): Promise<BlobInfo> {
    const tmp = this.tempPath();
    const digester = new Digester(expected?.algorithm ?? 'sha256');
    const out = createWriteStream(tmp, { highWaterMark: 1 << 20 });
    try {
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            digester.update(chunk);
            observe?.(chunk);
            yield chunk;
          }
        },
        out,
      );
      const digest = digester.digest();
      verify(digest, digester.size, expected);
      await fsyncPath(tmp);
      const target = this.path(digest);
      mkdirSync(join(this.blobsDir, parseDigest(digest).algorithm), { recursive: true });
      await fsp.rename(tmp, target);
      return { digest, size: digester.size };
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  }

  /** A writable that ingests; resolves `done` with the blob info once finished. */
  writer(expected?: IngestExpectation): { stream: Writable; done: Promise<BlobInfo> } {
    const pass = new PassThrough();
    const done = this.ingest(pass, expected);
    return { stream: pass, done };
  }

  async delete(digest: Digest): Promise<void> {
    await fsp.rm(this.path(digest), { force: true });
  }

  /** Every stored blob digest (for GC and `system check`). */
  async list(): Promise<Digest[]> {
    const out: Digest[] = [];
    for (const alg of await fsp.readdir(this.blobsDir)) {
      for (const hex of await fsp.readdir(join(this.blobsDir, alg))) out.push(`${alg}:${hex}`);
    }
    return out;
  }

  /** Remove temp files that no live process is writing (older than `olderThanMs`). */
  async cleanIngest(olderThanMs = 60 * 60 * 1000): Promise<number> {
    let n = 0;
    const now = Date.now();
    for (const name of await fsp.readdir(this.ingestDir)) {
      const p = join(this.ingestDir, name);
      const st = await fsp.stat(p).catch(() => undefined);
      if (st && now - st.mtimeMs > olderThanMs) {
        await fsp.rm(p, { force: true, recursive: true });
        n++;
      }
    }
    return n;
  }
}


function verify(digest: Digest, size: number, expected?: IngestExpectation): void {
  if (expected?.size !== undefined && expected.size !== size) {
    throw new WharfError('DIGEST_MISMATCH', `size mismatch: expected ${expected.size} bytes, got ${size}`);
  }
  if (expected?.digest && expected.digest !== digest) {
    throw new WharfError('DIGEST_MISMATCH', `digest mismatch: expected ${expected.digest}, got ${digest}`, { reason: 'CONTENT_DIGEST' });
  }
}

async function fsyncPath(path: string): Promise<void> {
  const fh = await fsp.open(path, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
