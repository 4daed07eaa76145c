/**
 * The MetadataStore contract suite: the embedded store and the PostgreSQL store run these same
 * tests. `open` makes a fresh, empty store for one test and returns it with its cleanup.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { digestOf, type Digest } from '../../../core/digest.js';
import { contractCases, type OpenStore } from '../contract.js';
import { RegistryError } from '../errors.js';
import type { ManifestRecord, MetadataStore } from './store.js';

export type OpenMeta = OpenStore<MetadataStore>;

async function blob(meta: MetadataStore, repo: string, text: string): Promise<Digest> {
  const d = digestOf(Buffer.from(text));
  await meta.commitBlob(d, text.length, async () => {});
  assert.equal(await meta.linkLayer(repo, d), true);
  return d;
}

function manifest(blobs: Digest[], extra: Partial<ManifestRecord> = {}): ManifestRecord {
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, blobs, n: randomUUID() }));
  return { digest: digestOf(body), mediaType: 'application/vnd.oci.image.manifest.v1+json', body, blobs, manifests: [], ...extra };
}

export function metadataStoreContract(name: string, open: OpenMeta, skip?: string): void {
  const it = contractCases<MetadataStore>(name, open, skip);

  it('layer links are per repository', async (meta) => {
    const d = await blob(meta, 'a/one', 'layer');
    assert.equal(await meta.hasLayer('a/one', d), true);
    assert.equal(await meta.hasLayer('a/two', d), false);
    assert.deepEqual((await meta.listLayers('a/one')).map((x) => x.digest), [d]);
    await meta.unlinkLayer('a/one', d);
    assert.equal(await meta.hasLayer('a/one', d), false);
  });

  it('manifests, tags, tag moves and deletes', async (meta) => {
    const layer = await blob(meta, 'r', 'l1');
    const m1 = manifest([layer]);
    const m2 = manifest([layer]);
    await meta.putManifest('r', m1, 'latest');
    assert.equal(await meta.resolveTag('r', 'latest'), m1.digest);
    const got = await meta.getManifest('r', m1.digest);
    assert.ok(got?.body.equals(m1.body));
    assert.equal(got?.mediaType, m1.mediaType);
    assert.equal(await meta.getManifest('other', m1.digest), null);
    await meta.putManifest('r', m2, 'latest');
    await meta.setTag('r', 'v1', m1.digest);
    assert.equal(await meta.resolveTag('r', 'latest'), m2.digest);
    assert.deepEqual(await meta.listTags('r'), ['latest', 'v1']);
    assert.deepEqual(await meta.tagsOf('r', m1.digest), ['v1']);
    assert.deepEqual((await meta.listManifests('r')).map((x) => x.digest).sort(), [m1.digest, m2.digest].sort());
    assert.equal(await meta.deleteTag('r', 'v1'), true);
    assert.equal(await meta.deleteTag('r', 'v1'), false);
    await meta.setTag('r', 'v2', m1.digest);
    assert.equal(await meta.deleteManifest('r', m1.digest), true);
    assert.equal(await meta.deleteManifest('r', m1.digest), false);
    assert.deepEqual(await meta.listTags('r'), ['latest'], 'a deleted manifest takes its tags along');
    assert.equal(await meta.hasManifest('r', m1.digest), false);
  });

  it('an index with children, and referrers by subject', async (meta) => {
    const layer = await blob(meta, 'ix', 'l');
    const child = manifest([layer]);
    await meta.putManifest('ix', child);
    const index = manifest([], { manifests: [child.digest], mediaType: 'application/vnd.oci.image.index.v1+json' });
    await meta.putManifest('ix', index, 'multi');
    const sig = manifest([layer], { subject: child.digest });
    sig.referrer = { mediaType: sig.mediaType, digest: sig.digest, size: sig.body.length, artifactType: 'application/x-sig' };
    await meta.putManifest('ix', sig);
    assert.deepEqual(await meta.listReferrers('ix', child.digest), [sig.referrer]);
    await meta.deleteManifest('ix', sig.digest);
    assert.deepEqual(await meta.listReferrers('ix', child.digest), []);
  });

  it('repositories: list, exists, nested ones survive a delete, search metadata', async (meta) => {
    const d = await blob(meta, 'team/app', 'x');
    await blob(meta, 'team/app/sub', 'y');
    await meta.putManifest('team/app', manifest([d]), 't');
    assert.deepEqual(await meta.listRepositories(), ['team/app', 'team/app/sub']);
    assert.equal(await meta.repositoryExists('team/app'), true);
    assert.equal(await meta.repositoryExists('team'), false);
    await meta.setMeta('team/app', { description: 'the app', stars: 3, official: true });
    assert.deepEqual(await meta.getMeta('team/app'), { description: 'the app', stars: 3, official: true });
    await meta.deleteRepository('team/app');
    assert.deepEqual(await meta.listRepositories(), ['team/app/sub']);
    assert.deepEqual(await meta.listTags('team/app'), []);
  });

  it('upload sessions: create, optimistic save (a stale version loses), list, delete', async (meta) => {
    const id = randomUUID();
    const rec = { id, repository: 'up', startedAt: new Date().toISOString(), state: { size: 0 }, version: 0 };
    await meta.createUpload(rec);
    const got = (await meta.getUpload(id))!;
    assert.equal(got.repository, 'up');
    assert.equal(await meta.saveUpload({ ...got, state: { size: 5 } }), true);
    assert.equal(await meta.saveUpload({ ...got, state: { size: 9 } }), false, 'the version moved on');
    assert.equal((await meta.getUpload(id))!.state.size, 5);
    assert.deepEqual((await meta.listUploads()).map((u) => u.id), [id]);
    await meta.deleteUpload(id);
    assert.equal(await meta.getUpload(id), null);
  });

  it('a store that tracks blobs refuses links and manifests naming unknown blobs', async (meta) => {
    if (!meta.tracksBlobs) return;
    const unknown = digestOf(Buffer.from(randomUUID()));
    assert.equal(await meta.linkLayer('t', unknown), false);
    const known = await blob(meta, 't', 'known');
    await assert.rejects(meta.putManifest('t', manifest([known, unknown])), (err: RegistryError) => err.code === 'MANIFEST_BLOB_UNKNOWN');
    assert.equal(await meta.blobSize(known), 5);
  });

  it('health answers while the store is reachable', async (meta) => {
    await meta.health();
  });
}
