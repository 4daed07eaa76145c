/**
 * wharf's own native addon (native/wharf_native.c, built by `npm run build` with node-gyp):
 * chroot(2), which confines the file worker (confined-main.ts), and mknod(2), which Node
 * lacks and which must not be a program run from inside a confined root (it would be the
 * image's binary). Loaded on first use, from the package root's native/build/Release.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../core/helpers.js';
import { WharfError } from '../core/errors.js';

interface NativeAddon {
  chroot(path: string): void;
  mknod(path: string, mode: number, major: number, minor: number): void;
}

let addon: NativeAddon | undefined;

export function native(): NativeAddon {
  if (addon) return addon;
  const root = packageRoot(fileURLToPath(import.meta.url));
  const file = join(root, 'native', 'build', 'Release', 'wharf_native.node');
  try {
    addon = createRequire(import.meta.url)(file) as NativeAddon;
  } catch (err) {
    throw new WharfError('INTERNAL', `wharf's native addon is not built (${file}): run 'npm run build'`, { cause: err });
  }
  return addon;
}

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;

/** mknod(2) for a tar entry type; `perm` is the permission bits. */
export function mknod(path: string, type: 'char' | 'block' | 'fifo', perm: number, major: number, minor: number): void {
  const kind = type === 'char' ? S_IFCHR : type === 'block' ? S_IFBLK : S_IFIFO;
  native().mknod(path, kind | (perm & 0o7777), major, minor);
}
