/**
 * `wharf diff`: what a container changed, from its overlay upper dir and the lower dirs.
 *
 * The reference is Docker 20.10 with overlay2 on this kernel, which compares the mounted
 * trees ("naive diff"). We get the same answer while walking only the upper dir (the lowers
 * are looked up by path, never walked whole):
 * - a whiteout of something the lowers have is D;
 * - a path the lowers lack is A (and so is everything under an added directory);
 * - a path the lowers have is C when its type, mode, owner, mtime or (non-dir) size differ;
 * - an opaque directory hides its lower content: each hidden lower name is D;
 * - a directory with any change below it is C, listed before those changes.
 * Docker's own order is a Go map's (random); ours is depth-first, names sorted, with a
 * directory's deletions after its other changes.
 */
import { lstatSync, type Stats } from 'node:fs';
import { isOpaque, isOverlayWhiteout, sortedNames } from './fs-meta.js';
import { LayerStack } from './layer-stack.js';

export type ChangeKind = 'A' | 'C' | 'D';
export interface Change {
  kind: ChangeKind;
  path: string;
}

export async function changes(upperDir: string, lowerDirs: string[]): Promise<Change[]> {
  const out: Change[] = [];
  const lowers = new LayerStack(lowerDirs);
  const base = upperDir.replace(/\/+$/, '');

  /** Walks one upper directory; `added` when the directory itself is new. */
  const visit = (rel: string, added: boolean): void => {
    const dirHost = rel ? `${base}/${rel}` : base;
    const names = sortedNames(dirHost);
    for (const name of names) {
      const childRel = rel ? `${rel}/${name}` : name;
      const path = `/${childRel}`;
      const st = lstatSync(`${dirHost}/${name}`);
      const lower = added ? null : lowers.lstat(childRel);
      if (isOverlayWhiteout(st)) {
        if (lower) out.push({ kind: 'D', path });
        continue;
      }
      const mark = out.length;
      let kind: ChangeKind | undefined = !lower ? 'A' : differs(st, lower) ? 'C' : undefined;
      if (kind) out.push({ kind, path });
      if (!st.isDirectory()) continue;
      const opaque = !!lower && lower.isDirectory() && isOpaque(`${dirHost}/${name}`);
      visit(childRel, !lower || !lower.isDirectory());
      if (opaque) {
        const kept = new Set(sortedNames(`${dirHost}/${name}`));
        for (const hidden of lowers.names(childRel)) if (!kept.has(hidden)) out.push({ kind: 'D', path: `${path}/${hidden}` });
      }
      if (!kind && out.length > mark) {
        kind = 'C';
        out.splice(mark, 0, { kind, path });
      }
    }
  };
  visit('', false);
  return out;
}

function differs(a: Stats, b: Stats): boolean {
  if ((a.mode & 0o170000) !== (b.mode & 0o170000)) return true;
  if (a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || a.mtimeMs !== b.mtimeMs) return true;
  return !a.isDirectory() && (a.size !== b.size || a.rdev !== b.rdev);
}
