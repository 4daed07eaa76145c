/**
 * The hostile corpus's tools: canary trees outside every root (snapshotted before and after
 * each case), hostile layer tars, and the image archives (docker-archive, OCI layout) that
 * carry them into `load`.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync, chmodSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { tarOf } from '../../src/archive/testing.js';
import type { TarHeaderInput } from '../../src/archive/tar-header.js';

export type Entries = [TarHeaderInput, Buffer?][];
export { tarOf };

/** A canary tree: a file, a dir with a file, with known modes and times. */
export function makeCanary(dir: string): string {
  mkdirSync(join(dir, 'd'), { recursive: true });
  writeFileSync(join(dir, 'f'), 'canary\n');
  writeFileSync(join(dir, 'd', 'g'), 'canary g\n');
  chmodSync(join(dir, 'f'), 0o644);
  chmodSync(join(dir, 'd'), 0o755);
  for (const p of ['f', 'd/g', 'd', '.']) utimesSync(join(dir, p), 1000, 1000);
  return dir;
}

/** Everything about a tree a write through it could change. */
export function snapshot(dir: string): string {
  const out: unknown[] = [];
  const walk = (p: string, rel: string) => {
    const st = lstatSync(p);
    const content = st.isFile() ? readFileSync(p, 'utf8') : st.isSymbolicLink() ? readlinkSync(p) : undefined;
    out.push([rel, st.mode, st.uid, st.gid, st.mtimeMs, st.nlink, st.size, st.rdev, content]);
    if (st.isDirectory()) for (const n of readdirSync(p).sort()) walk(join(p, n), `${rel}/${n}`);
  };
  walk(dir, '.');
  return JSON.stringify(out);
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function configOf(layers: Buffer[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: layers.map(sha) },
      history: layers.map(() => ({ created_by: 'hostile' })),
    }),
  );
}

export interface HostileImage {
  tag: string;
  layers: Buffer[];
}

/** A docker-archive (`docker save` format) holding all `images`. */
export async function dockerArchive(images: HostileImage[]): Promise<Buffer> {
  const files: Entries = [];
  const manifest = [];
  const seen = new Set<string>();
  for (const img of images) {
    const config = configOf(img.layers);
    const cname = `${sha(config).slice(7)}.json`;
    files.push([{ name: cname, type: 'file' }, config]);
    const names: string[] = [];
    for (const l of img.layers) {
      const n = `${sha(l).slice(7)}/layer.tar`;
      if (!seen.has(n)) files.push([{ name: n, type: 'file' }, l]);
      seen.add(n);
      names.push(n);
    }
    manifest.push({ Config: cname, RepoTags: [img.tag], Layers: names });
  }
  files.push([{ name: 'manifest.json', type: 'file' }, Buffer.from(JSON.stringify(manifest))]);
  return tarOf(files);
}

/** An OCI image layout holding all `images` (tags as org.opencontainers.image.ref.name). */
export async function ociLayout(images: HostileImage[]): Promise<Buffer> {
  const blobs = new Map<string, Buffer>();
  const add = (b: Buffer) => {
    blobs.set(sha(b), b);
    return { digest: sha(b), size: b.length };
  };
  const manifests = [];
  for (const img of images) {
    const config = configOf(img.layers);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...add(config) },
        layers: img.layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...add(l) })),
      }),
    );
    manifests.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      ...add(manifest),
      annotations: { 'io.containerd.image.name': `docker.io/library/${img.tag}`, 'org.opencontainers.image.ref.name': img.tag.split(':')[1] },
    });
  }
  const files: Entries = [
    [{ name: 'oci-layout', type: 'file' }, Buffer.from('{"imageLayoutVersion":"1.0.0"}')],
    [{ name: 'index.json', type: 'file' }, Buffer.from(JSON.stringify({ schemaVersion: 2, manifests }))],
    [{ name: 'blobs/', type: 'dir' }],
    [{ name: 'blobs/sha256/', type: 'dir' }],
  ];
  for (const [d, b] of blobs) files.push([{ name: `blobs/sha256/${d.slice(7)}`, type: 'file' }, b]);
  return tarOf(files);
}
