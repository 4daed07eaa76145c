/**
 * The BlobStore contract suite (containerd's snapshots/testsuite idea): every implementation
 * runs these same tests, so the directory store and the S3 store cannot drift apart.
 * `open` makes a fresh, empty store for one test and returns it with its cleanup.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { digestOf, type Digest } from '../../../core/digest.js';
import { contractCases, type OpenStore } from '../contract.js';
import { BlobNotFoundError, type BlobStore, type UploadState } from './store.js';

export type OpenBlobStore = OpenStore<BlobStore>;

async function readAll(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A body in uneven pieces, as request bodies arrive. */
async function* pieces(data: Buffer, sizes = [1, 70_000, 3 << 20, 5, 4 << 20, 65_536]): AsyncGenerator<Buffer> {
  for (let off = 0, i = 0; off < data.length; i++) {
    const n = sizes[i % sizes.length]!;
    yield data.subarray(off, off + n);
    off += n;
  }
}

async function upload(store: BlobStore, chunks: Buffer[]): Promise<{ id: string; state: UploadState }> {
  const id = randomUUID();
  let state = await store.uploadBegin(id);
  for (const c of chunks) state = await store.uploadAppend(id, JSON.parse(JSON.stringify(state)), pieces(c));
  return { id, state };
}

export function blobStoreContract(name: string, open: OpenBlobStore, skip?: string): void {
  const it = contractCases<BlobStore>(name, open, skip);

  it('put/get/stat/open with ranges/delete of a small blob', async (store) => {
    const data = Buffer.from('0123456789');
    const d = digestOf(data);
    assert.equal(await store.stat(d), null);
    await assert.rejects(store.open(d), BlobNotFoundError);
    await store.put(d, data);
    assert.equal((await store.stat(d))?.size, 10);
    assert.deepEqual(await store.get(d), data);
    assert.equal((await readAll(await store.open(d, 2, 5))).toString(), '2345');
    assert.equal((await readAll(await store.open(d, 7))).toString(), '789');
    await store.delete(d);
    assert.equal(await store.stat(d), null);
    await store.delete(d); // idempotent
  });

  it('list yields every stored digest', async (store) => {
    const ds: Digest[] = [];
    for (let i = 0; i < 3; i++) {
      const b = Buffer.from(`blob ${i} ${randomUUID()}`);
      ds.push(digestOf(b));
      await store.put(digestOf(b), b);
    }
    const seen: Digest[] = [];
    for await (const d of store.list()) seen.push(d);
    assert.deepEqual(seen.sort(), ds.sort());
  });

  it('an upload in several appends (parts, a small remainder, state through JSON) commits exactly', async (store) => {
    const data = randomBytes(23 << 20);
    const cuts = [0, 3 << 20, 3 << 20, 17 << 20, (17 << 20) + 7, data.length];
    const chunks = cuts.slice(1).map((end, i) => data.subarray(cuts[i]!, end));
    const { id, state } = await upload(store, chunks);
    assert.equal(state.size, data.length);
    const sealed = await store.uploadSeal(id, state);
    assert.equal(sealed.sealed, true);
    const h = createHash('sha256');
    for await (const c of await store.uploadRead(id, sealed)) h.update(c as Buffer);
    const d = `sha256:${h.digest('hex')}` as Digest;
    assert.equal(d, digestOf(data));
    await store.uploadCommit(id, sealed, d);
    await store.uploadAbort(id, sealed);
    assert.equal((await store.stat(d))?.size, data.length);
    assert.ok((await readAll(await store.open(d))).equals(data));
    const tail = await readAll(await store.open(d, data.length - 100));
    assert.ok(tail.equals(data.subarray(data.length - 100)));
  });

  it('an empty upload and a one-byte upload commit', async (store) => {
    for (const data of [Buffer.alloc(0), Buffer.from('x')]) {
      const { id, state } = await upload(store, data.length ? [data] : []);
      const sealed = await store.uploadSeal(id, state);
      await store.uploadCommit(id, sealed, digestOf(data));
      await store.uploadAbort(id, sealed);
      assert.equal((await store.stat(digestOf(data)))?.size, data.length);
    }
  });

  it('a failed append leaves the previous state usable (resume from it)', async (store) => {
    const a = randomBytes(6 << 20);
    const b = randomBytes(1 << 20);
    const { id, state } = await upload(store, [a]);
    async function* failing(): AsyncGenerator<Buffer> {
      yield randomBytes(7 << 20);
      throw new Error('client went away');
    }
    await assert.rejects(store.uploadAppend(id, state, failing()), /client went away/);
    const next = await store.uploadAppend(id, state, pieces(b));
    const sealed = await store.uploadSeal(id, next);
    const whole = Buffer.concat([a, b]);
    await store.uploadCommit(id, sealed, digestOf(whole));
    await store.uploadAbort(id, sealed);
    assert.ok((await store.get(digestOf(whole))).equals(whole));
  });

  it('an aborted upload leaves nothing readable and aborting twice is fine', async (store) => {
    const { id, state } = await upload(store, [randomBytes(6 << 20), Buffer.from('tail')]);
    await store.uploadAbort(id, state);
    await store.uploadAbort(id, state);
    const seen: Digest[] = [];
    for await (const d of store.list()) seen.push(d);
    assert.deepEqual(seen, []);
  });

  it('health answers while the store is reachable', async (store) => {
    await store.health();
  });
}
