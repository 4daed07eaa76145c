import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestOf } from '../../core/digest.js';
import { MediaType } from '../../core/mediatypes.js';
import { RegistryError } from './errors.js';
import { parseManifest, referrerDescriptor } from './manifest.js';

const d = (s: string) => digestOf(s);

test('image manifests list config and layers; foreign layers are not required', () => {
  const body = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MediaType.dockerManifest,
    config: { mediaType: MediaType.dockerConfig, digest: d('c'), size: 1 },
    layers: [{ mediaType: MediaType.dockerLayerGzip, digest: d('l'), size: 1 }, { mediaType: MediaType.dockerForeignLayerGzip, digest: d('f'), size: 1, urls: ['http://x'] }],
  }));
  const p = parseManifest(body, MediaType.dockerManifest);
  assert.deepEqual(p.blobs, [d('c'), d('l')]);
  assert.equal(p.kind, 'image');
});

test('indexes, subjects and artifactType fallback', () => {
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MediaType.ociManifest, digest: d('m'), size: 3 }], subject: { mediaType: MediaType.ociManifest, digest: d('s'), size: 1 }, artifactType: 'x/y' }));
  const p = parseManifest(body, MediaType.ociIndex);
  assert.equal(p.kind, 'index');
  assert.deepEqual(p.manifests, [d('m')]);
  assert.equal(p.subject, d('s'));
  assert.equal(referrerDescriptor(p, d('me'), 10).artifactType, 'x/y');
});

test('invalid manifests are MANIFEST_INVALID', () => {
  for (const [body, type] of [
    ['{', MediaType.ociManifest],
    ['{"schemaVersion":1}', MediaType.ociManifest],
    [JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] }), MediaType.ociManifest],
    [JSON.stringify({ schemaVersion: 2, config: { digest: 'sha256:x', size: 1, mediaType: 'a' }, layers: [] }), MediaType.ociManifest],
  ] as const) {
    assert.throws(() => parseManifest(Buffer.from(body), type), (e: unknown) => e instanceof RegistryError && e.code === 'MANIFEST_INVALID');
  }
});
