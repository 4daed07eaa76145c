/**
 * COPY and ADD as a layer built straight from the sources: the files found in the context (or
 * in another stage's or image's filesystem), placed at their destination, become tar entries,
 * with the destination's parent directories as the image has them. Nothing is written into
 * any root filesystem, so no path in the image can redirect a write to the host: symlinks in
 * the destination are resolved inside the image's view, never on the host.
 *
 * `plan` finds the sources and hashes their content and metadata (the classic builder's cache
 * key: `file:<hash>`, `dir:<hash>` or `multi:<hash>`); `layer` writes the tar.
 */
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import type { FsView } from '../archive/layer-stack.js';
import { DirView, resolvePath } from '../archive/layer-stack.js';
import { cleanEntryPath } from '../archive/safe-path.js';
import type { TarHeaderInput } from '../archive/tar-header.js';
import { TarWriter } from '../archive/tar-writer.js';
import type { PatternMatcher } from './dockerignore.js';

/** Where sources are read from: the context dir (with its matcher) or an image's view. */
export interface SourceFs {
  lstat(rel: string): Stats | null;
  readdir(rel: string): string[];
  readlink(rel: string): string;
  open(rel: string): Readable;
  /** Hidden by .dockerignore (context only). */
  excluded(rel: string): boolean;
  /** Ownership is kept (COPY --from) rather than set to root. */
  keepOwner: boolean;
  /** A named source with its symlinks followed inside the source's root (never out of it). */
  resolve(rel: string): string;
}

export function contextFs(dir: string, matcher: PatternMatcher): SourceFs {
  const abs = (rel: string) => (rel ? `${dir}/${rel}` : dir);
  return {
    lstat: (rel) => {
      try {
        return lstatSync(abs(rel));
      } catch {
        return null;
      }
    },
    readdir: (rel) => readdirSync(abs(rel)).sort(),
    readlink: (rel) => readlinkSync(abs(rel)),
    open: (rel) => createReadStream(abs(rel)),
    excluded: (rel) => rel !== '' && matcher.matches(rel),
    keepOwner: false,
    resolve: (rel) => cleanEntryPath(resolvePath(new DirView(dir), '/' + rel)),
  };
}

export function viewFs(view: FsView): SourceFs {
  const p = (rel: string) => resolvePath(view, '/' + rel, true);
  return {
    lstat: (rel) => view.lstat(p(rel)),
    readdir: (rel) => readdirSync(view.hostPath(resolvePath(view, '/' + rel))).sort(),
    readlink: (rel) => view.readlink(p(rel)),
    open: (rel) => createReadStream(view.hostPath(p(rel))),
    excluded: () => false,
    keepOwner: true,
    resolve: (rel) => cleanEntryPath(resolvePath(view, '/' + rel)),
  };
}

export interface CopyEntry {
  /** Destination path in the image, relative to its root. */
  target: string;
  /** Path below the source argument ('' for the named file itself): what the hash names. */
  key: string;
  /** Source path (relative to the source fs), none for created directories. */
  source?: string;
  header: TarHeaderInput;
  /** Extra content (a heredoc, a download) instead of a source file. */
  body?: Buffer | (() => Readable);
}

export interface CopyPlan {
  entries: CopyEntry[];
  /** `file:<hex>`, `dir:<hex>` or `multi:<hex>`, as in the history's created_by. */
  hash: string;
}

export interface CopyRequest {
  cmd: 'COPY' | 'ADD';
  sources: string[];
  dest: string;
  workdir: string;
  fs: SourceFs;
  /** The image being built on, for the destination's existing directories. */
  view: FsView | undefined;
  owner?: { uid: number; gid: number };
  mode?: number;
  /** Extra sources given as content (heredocs, downloads): name -> bytes. */
  inline?: { name: string; data: Buffer; mode: number; mtime?: number }[];
}

const hasMeta = (s: string) => /[*?[\\]/.test(s);

export class CopyError extends Error {}

/** Go's filepath.Match for one whole path (each `*` stays within a path component). */
function globRegex(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw new CopyError('syntax error in pattern');
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^') || cls.startsWith('!')) cls = '^' + cls.slice(1);
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '\\' && i + 1 < pattern.length) re += '\\' + pattern[++i];
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

/** Context-relative paths a source names (wildcards expanded, lexical order). */
function expandSource(fs: SourceFs, src: string, cmd: string): string[] {
  const normal = posix.normalize(src);
  if (normal === '..' || normal.startsWith('../')) throw new CopyError(`${cmd} failed: forbidden path outside the build context: ${src} ()`);
  const rel = cleanEntryPath(posix.normalize('/' + src));
  if (!hasMeta(rel)) {
    const notFound = () => new CopyError(`${cmd} failed: file not found in build context or excluded by .dockerignore: stat ${src}: file does not exist`);
    if (!fs.lstat(rel) || fs.excluded(rel)) throw notFound();
    let real: string;
    try {
      real = fs.resolve(rel);
    } catch {
      throw notFound();
    }
    if (!fs.lstat(real) || fs.excluded(real)) throw notFound();
    return [real];
  }
  const parts = rel.split('/');
  let found: string[] = [''];
  for (const part of parts) {
    const next: string[] = [];
    for (const dir of found) {
      if (!hasMeta(part)) {
        const p = dir ? `${dir}/${part}` : part;
        if (fs.lstat(p)) next.push(p);
        continue;
      }
      const st = fs.lstat(dir);
      if (!st?.isDirectory()) continue;
      const rx = globRegex(part);
      for (const n of fs.readdir(dir)) if (rx.test(n)) next.push(dir ? `${dir}/${n}` : n);
    }
    found = next;
  }
  return found.filter((p) => !fs.excluded(p)).map((p) => fs.resolve(p)).filter((p) => fs.lstat(p) && !fs.excluded(p));
}

function headerOf(st: Stats, name: string, fs: SourceFs, rel: string, r: CopyRequest): TarHeaderInput {
  const owner = r.owner ?? (fs.keepOwner ? { uid: st.uid, gid: st.gid } : { uid: 0, gid: 0 });
  const perm = st.mode & 0o7777;
  const mode = r.mode ?? perm;
  const mtime = Math.floor(st.mtimeMs / 1000);
  if (st.isDirectory()) return { name, type: 'dir', mode, ...owner, mtime };
  if (st.isSymbolicLink()) return { name, type: 'symlink', mode: perm, linkname: fs.readlink(rel), ...owner, mtime };
  if (st.isFile()) return { name, type: 'file', mode, size: Number(st.size), ...owner, mtime };
  throw new CopyError(`${r.cmd} failed: ${rel} is not a regular file, directory or symlink`);
}

/** The destination directory (or file) path inside the image, symlinks resolved in the image. */
function resolveDest(r: CopyRequest): { path: string; isDir: boolean } {
  let dest = r.dest;
  const trailing = dest.endsWith('/') || dest.endsWith('/.') || dest === '.';
  if (!dest.startsWith('/')) dest = posix.join(r.workdir || '/', dest);
  let path = posix.normalize(dest);
  if (r.view) {
    const parent = resolvePath(r.view, posix.dirname(path));
    path = posix.join(parent, posix.basename(path));
    if (path !== '/' && r.view.lstat(path)?.isSymbolicLink()) {
      const resolved = resolvePath(r.view, path);
      if (r.view.lstat(resolved)?.isDirectory()) path = resolved;
    }
  }
  const existingDir = !!r.view && !!r.view.lstat(path)?.isDirectory();
  return { path, isDir: trailing || existingDir || path === '/' };
}

export async function planCopy(r: CopyRequest): Promise<CopyPlan> {
  const sources: string[] = [];
  for (const s of r.sources) {
    if (/^https?:\/\//.test(s)) throw new CopyError(`source can't be a URL for ${r.cmd}`);
    const got = expandSource(r.fs, s, r.cmd);
    if (!got.length) throw new CopyError(`${r.cmd} failed: no source files were specified`);
    sources.push(...got);
  }
  const count = sources.length + (r.inline?.length ?? 0);
  if (!count) throw new CopyError(`${r.cmd} failed: no source files were specified`);
  const dest = resolveDest(r);
  const multi = count > 1 || r.sources.some(hasMeta);
  if (count > 1 && !r.dest.endsWith('/')) throw new CopyError(`When using ${r.cmd} with more than one source file, the destination must be a directory and end with a /`);
  const entries: CopyEntry[] = [];
  const add = (rel: string, target: string, key: string) => {
    const st = r.fs.lstat(rel) as Stats;
    entries.push({ target, key, source: rel, header: headerOf(st, target, r.fs, rel, r) });
    if (st.isDirectory()) walk(rel, target, key);
  };
  const walk = (rel: string, target: string, key: string) => {
    for (const n of r.fs.readdir(rel)) {
      const child = rel ? `${rel}/${n}` : n;
      if (r.fs.excluded(child) && !r.fs.lstat(child)?.isDirectory()) continue;
      add(child, target ? `${target}/${n}` : n, key ? `${key}/${n}` : n);
    }
  };
  const root = cleanEntryPath(dest.path);
  for (const rel of sources) {
    const st = r.fs.lstat(rel) as Stats;
    if (st.isDirectory()) {
      // A directory's contents go into the destination; the destination itself is made.
      entries.push({ target: root, key: multi ? posix.basename(rel) : '', header: headerOf(st, root, r.fs, rel, r) });
      walk(rel, root, multi ? posix.basename(rel) : '');
    } else {
      const target = dest.isDir || multi ? posix.join(root, posix.basename(rel)) : root;
      add(rel, target, multi ? posix.basename(rel) : '');
    }
  }
  for (const f of r.inline ?? []) {
    const target = dest.isDir || multi ? posix.join(root, f.name) : root;
    const owner = r.owner ?? { uid: 0, gid: 0 };
    entries.push({ target, key: multi ? f.name : '', header: { name: target, type: 'file', mode: r.mode ?? f.mode, size: f.data.length, ...owner, mtime: f.mtime ?? 0 }, body: f.data });
  }
  const hash = createHash('sha256');
  for (const e of [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    const h = e.header;
    hash.update(`${e.key}\0${h.type}\0${h.mode}\0${h.uid}:${h.gid}\0${h.size ?? 0}\0${h.linkname ?? ''}\0`);
    if (Buffer.isBuffer(e.body)) hash.update(e.body);
  }
  const kind = multi ? 'multi' : sources.length && r.fs.lstat(sources[0])?.isDirectory() ? 'dir' : 'file';
  return { entries, hash: `${kind}:${await hashFiles(hash, entries, r.fs)}` };
}

/** Content hash: the metadata digest so far plus every regular file's bytes, streamed. */
async function hashFiles(hash: ReturnType<typeof createHash>, entries: CopyEntry[], fs: SourceFs): Promise<string> {
  for (const e of entries) {
    if (e.source === undefined || e.header.type !== 'file') continue;
    for await (const chunk of fs.open(e.source)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/** Parent directories of `target` that the layer must carry, with the image's metadata. */
export function parentEntries(targets: string[], view: FsView | undefined, skip: Set<string>): TarHeaderInput[] {
  const dirs = new Set<string>();
  for (const t of targets) {
    const parts = t.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const out: TarHeaderInput[] = [];
  for (const d of [...dirs].sort()) {
    if (!d || skip.has(d)) continue;
    const st = view?.lstat('/' + d);
    if (st?.isDirectory()) out.push({ name: d, type: 'dir', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: Math.floor(Date.now() / 1000) });
    else out.push({ name: d, type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: Math.floor(Date.now() / 1000) });
  }
  return out;
}

/** The layer tar for a plan. */
export function copyLayer(plan: CopyPlan, fs: SourceFs, view: FsView | undefined): Readable {
  const targets = plan.entries.map((e) => e.target).filter(Boolean);
  const w = new TarWriter();
  const run = async () => {
    for (const h of parentEntries(targets, view, new Set(targets))) await w.add(h);
    for (const e of plan.entries) {
      if (!e.target) continue;
      const h = { ...e.header, name: e.target };
      if (h.type !== 'file') {
        await w.add(h);
        continue;
      }
      const body = Buffer.isBuffer(e.body) ? e.body : typeof e.body === 'function' ? e.body() : fs.open(e.source as string);
      await w.add(h, body);
    }
    await w.finish();
  };
  run().catch((e: Error) => w.abort(e));
  return w.stream;
}
