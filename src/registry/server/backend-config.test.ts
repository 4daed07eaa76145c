import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyBackendFlags, defaultConfig, resolveConfig, type RegistryConfig } from './config.js';

test('S3 and PostgreSQL from flags, with the schema taken out of the URL', () => {
  const cfg = resolveConfig({
    storage: 's3', s3Endpoint: 'http://127.0.0.1:7480', s3Bucket: 'reg', s3Region: 'eu-1', s3AccessKey: 'AK', s3SecretKey: 'SK',
    s3RootDirectory: '/prefix/', s3ChunkSize: String(8 << 20), s3Redirect: true, metadata: 'postgres://u:p@127.0.0.1:5432/db?schema=reg_a&sslmode=disable',
  });
  assert.deepEqual(cfg.storage?.s3, { regionendpoint: 'http://127.0.0.1:7480', bucket: 'reg', region: 'eu-1', accesskey: 'AK', secretkey: 'SK', rootdirectory: '/prefix/', chunksize: 8 << 20, redirect: true });
  assert.equal(cfg.metadata?.postgres, 'postgres://u:p@127.0.0.1:5432/db?sslmode=disable');
  assert.equal(cfg.metadata?.schema, 'reg_a');
});

test("distribution's storage.s3 keys in the config file, keys from distribution's environment variables", () => {
  const cfg: RegistryConfig = { ...defaultConfig(), storage: { s3: { region: 'us-east-1', bucket: 'b', regionendpoint: 'http://127.0.0.1:1' } } };
  applyBackendFlags(cfg, {}, { REGISTRY_STORAGE_S3_ACCESSKEY: 'envak', REGISTRY_STORAGE_S3_SECRETKEY: 'envsk' });
  assert.equal(cfg.storage?.s3?.accesskey, 'envak');
  assert.equal(cfg.storage?.s3?.secretkey, 'envsk');
  assert.equal(cfg.storage?.s3?.regionendpoint, 'http://127.0.0.1:1');
  const fs = { ...defaultConfig() };
  applyBackendFlags(fs, {}, {});
  assert.equal(fs.storage, undefined, 'the directory stays the default');
  assert.equal(fs.metadata, undefined, 'embedded metadata stays the default');
});

test('bad storage settings are refused with one clear line', () => {
  const bad: [Record<string, string>, RegExp][] = [
    [{ storage: 'gcs' }, /unknown --storage gcs/],
    [{ storage: 's3' }, /--storage s3 needs --s3-bucket/],
    [{ storage: 's3', s3Bucket: 'b', s3ChunkSize: '1024' }, /at least 5242880/],
    [{ metadata: 'mysql://x' }, /--metadata must be "embedded" or a postgres:\/\/ URL/],
  ];
  for (const [flags, re] of bad) assert.throws(() => applyBackendFlags(defaultConfig(), flags, {}), re);
});
