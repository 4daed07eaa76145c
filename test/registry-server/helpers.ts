/**
 * Test fixtures for the registry server: a registry on 127.0.0.1:random port over a temp root,
 * and small helpers that push blobs and manifests the way clients do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { digestOf, type Digest } from '../../src/core/digest.js';
import { MediaType } from '../../src/core/mediatypes.js';
import { defaultConfig, type RegistryConfig } from '../../src/registry/server/config.js';
import { PostgresMetadata } from '../../src/registry/server/meta/postgres.js';
import { createRegistryServer, type RunningRegistry } from '../../src/registry/server/server.js';

export interface TestRegistry extends RunningRegistry {
  root: string;
  dir: string;
  logs: string[];
  stop(): Promise<void>;
}

export function tempDir(prefix = 'wharf-rs-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * WHARF_TEST_REGISTRY_BACKEND=s3 runs every registry test on S3 + PostgreSQL instead of a
 * directory (scripts/test.sh runs the registry-server tests a second time that way): each
 * registry gets its own key prefix in one bucket and its own PostgreSQL schema.
 */
export const scaleBackend = process.env.WHARF_TEST_REGISTRY_BACKEND === 's3';

/** Storage settings for a fresh, isolated S3 + PostgreSQL registry; `drop` removes its schema. */
export async function scaleStorage(): Promise<{ config: Partial<RegistryConfig>; drop(): Promise<void> }> {
  const env = process.env;
  if (!env.WHARF_TEST_S3_ENDPOINT || !env.WHARF_TEST_PG_URL) throw new Error('WHARF_TEST_S3_ENDPOINT and WHARF_TEST_PG_URL must be set (scripts/test.sh starts Ceph and PostgreSQL)');
  const id = randomBytes(6).toString('hex');
  const schema = `reg_${id}`;
  const config: Partial<RegistryConfig> = {
    storage: {
      s3: {
        regionendpoint: env.WHARF_TEST_S3_ENDPOINT,
        region: env.WHARF_TEST_S3_REGION ?? 'us-east-1',
        bucket: 'wharf-tests',
        accesskey: env.WHARF_TEST_S3_ACCESS_KEY,
        secretkey: env.WHARF_TEST_S3_SECRET_KEY,
        rootdirectory: `r-${id}`,
      },
    },
    metadata: { postgres: env.WHARF_TEST_PG_URL, schema },
  };
  const pg = new PostgresMetadata({ url: env.WHARF_TEST_PG_URL, schema });
  await pg.migrate();
  await pg.close();
  return {
    config,
    async drop() {
      const p = new PostgresMetadata({ url: env.WHARF_TEST_PG_URL! });
      await p.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
      await p.close();
    },
  };
}

const scaleByRoot = new Map<string, Partial<RegistryConfig>>();

/** A registry on 127.0.0.1:random; `dir` (a new temp dir unless `root` is given) goes on stop(). */
export async function startRegistry(overrides: Partial<RegistryConfig> = {}, dir = overrides.root ? '' : tempDir()): Promise<TestRegistry> {
  const root = overrides.root ?? join(dir, 'root');
  const logs: string[] = [];
  // A restart on the same root finds the same bucket prefix and schema.
  const scale = scaleBackend && !overrides.storage && !overrides.metadata && !scaleByRoot.has(root) ? await scaleStorage() : undefined;
  if (scale) scaleByRoot.set(root, scale.config);
  const running = await createRegistryServer({ ...defaultConfig(), addr: '127.0.0.1:0', ...scaleByRoot.get(root), ...overrides, root }, { log: (l) => logs.push(l) });
  return {
    ...running,
    root,
    dir,
    logs,
    async stop() {
      await running.close();
      if (scale) {
        scaleByRoot.delete(root);
        await scale.drop();
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Start a registry before a suite's tests and stop it after; read `.reg` and `.url` in tests. */
export function suiteRegistry(overrides: Partial<RegistryConfig> = {}): { reg: TestRegistry; url: string } {
  const suite = {} as { reg: TestRegistry; url: string };
  before(async () => {
    suite.reg = await startRegistry(overrides);
    suite.url = suite.reg.url;
  });
  after(() => suite.reg.stop());
  return suite;
}

export type Headers = Record<string, string>;

/** A Buffer as fetch's BodyInit (a view, no copy). */
export const bytes = (b: Buffer) => new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.length);

export async function pushBlob(url: string, name: string, data: Buffer, headers: Headers = {}): Promise<Digest> {
  const digest = digestOf(data);
  const res = await fetch(`${url}/v2/${name}/blobs/uploads/?digest=${digest}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream', ...headers },
    body: bytes(data),
  });
  if (res.status !== 201) throw new Error(`push blob: ${res.status} ${await res.text()}`);
  return digest;
}

export interface PushedImage {
  manifest: Buffer;
  digest: Digest;
  config: Digest;
  layer: Digest;
}

export function imageManifest(config: { digest: Digest; size: number }, layers: { digest: Digest; size: number }[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, ...config },
      layers: layers.map((l) => ({ mediaType: MediaType.ociLayerGzip, ...l })),
      ...extra,
    }),
  );
}

export async function putManifest(url: string, name: string, ref: string, body: Buffer, mediaType: string = MediaType.ociManifest, headers: Headers = {}): Promise<Response> {
  return fetch(`${url}/v2/${name}/manifests/${ref}`, { method: 'PUT', headers: { 'Content-Type': mediaType, ...headers }, body: bytes(body) });
}

/** Push a one-layer image with random content; returns its digests. */
export async function pushImage(url: string, name: string, tag: string, headers: Headers = {}): Promise<PushedImage> {
  const configBody = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', created: new Date().toISOString(), rootfs: { type: 'layers', diff_ids: [] }, nonce: Math.random() }));
  const layerBody = Buffer.from(`layer ${Math.random()}`);
  const config = await pushBlob(url, name, configBody, headers);
  const layer = await pushBlob(url, name, layerBody, headers);
  const manifest = imageManifest({ digest: config, size: configBody.length }, [{ digest: layer, size: layerBody.length }]);
  const res = await putManifest(url, name, tag, manifest, MediaType.ociManifest, headers);
  if (res.status !== 201) throw new Error(`push manifest: ${res.status} ${await res.text()}`);
  return { manifest, digest: digestOf(manifest), config, layer };
}

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export async function errorCode(res: Response): Promise<string | undefined> {
  const body = (await res.json()) as { errors?: { code: string }[] };
  return body.errors?.[0]?.code;
}
