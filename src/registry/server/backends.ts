/**
 * Opens the storage a config names: blob bytes in the directory `root` or in S3, metadata
 * embedded beside them or in PostgreSQL. The S3 and PostgreSQL clients are loaded only when
 * asked for, so the one-machine registry (and every other wharf command) never pays for them.
 */
import type { RegistryConfig } from './config.js';
import { FsBlobStore } from './blobs/fs.js';
import type { BlobStore } from './blobs/store.js';
import { EmbeddedMetadata } from './meta/embedded.js';
import type { MetadataStore } from './meta/store.js';
import type { PostgresMetadata } from './meta/postgres.js';
import { FilesystemDriver } from './storage/fs.js';
import { RegistryStore } from './store.js';

export async function openBlobStore(config: RegistryConfig): Promise<BlobStore> {
  const s3 = config.storage?.s3;
  if (!s3) return new FsBlobStore(new FilesystemDriver(config.root));
  // This pinned SDK supports Node 20; its notice about later versions is not for the registry's users.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { S3BlobStore } = await import('./blobs/s3.js');
  const store = new S3BlobStore({
    endpoint: s3.regionendpoint,
    region: s3.region,
    bucket: s3.bucket,
    accessKey: s3.accesskey,
    secretKey: s3.secretkey,
    rootDirectory: s3.rootdirectory,
    chunkSize: s3.chunksize,
    multipartCopyThreshold: s3.multipartcopythresholdsize,
    multipartCopyChunkSize: s3.multipartcopychunksize,
    forcePathStyle: s3.forcepathstyle,
  });
  await store.init();
  return store;
}

/** The PostgreSQL store a config names (not checked against the schema version). */
export async function postgresOf(config: RegistryConfig): Promise<PostgresMetadata> {
  const { PostgresMetadata } = await import('./meta/postgres.js');
  return new PostgresMetadata({ url: config.metadata!.postgres!, schema: config.metadata?.schema, gracePeriod: config.gc?.gracePeriod ?? 3600 });
}

export async function openMetadata(config: RegistryConfig): Promise<MetadataStore> {
  if (!config.metadata?.postgres) return new EmbeddedMetadata(new FilesystemDriver(config.root));
  const pg = await postgresOf(config);
  try {
    await pg.init();
  } catch (err) {
    await pg.close();
    throw err;
  }
  return pg;
}

export async function openStore(config: RegistryConfig): Promise<RegistryStore> {
  const blobs = await openBlobStore(config);
  try {
    return new RegistryStore(blobs, await openMetadata(config));
  } catch (err) {
    await blobs.close();
    throw err;
  }
}
