/**
 * uid/gid -> name from a root's own /etc/passwd and /etc/group, for tar headers: `docker export`
 * runs its tar chrooted in the container, so owners are named as the image names them, never as
 * the host does. Read inside the confined worker (chrooted), so the files' symlinks stay inside.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { OwnerNames } from './diff.js';

function table(root: string, file: string): Map<number, string> {
  const byId = new Map<number, string>();
  let text = '';
  try {
    const path = join(root, 'etc', file);
    if (statSync(path).isFile() && statSync(path).size < 1 << 22) text = readFileSync(path, 'utf8');
  } catch {
    return byId;
  }
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (!name || line.startsWith('#') || !/^\d+$/.test(id ?? '')) continue;
    if (!byId.has(Number(id))) byId.set(Number(id), name);
  }
  return byId;
}

export function ownerNamesIn(root: string): OwnerNames {
  const users = table(root, 'passwd');
  const groups = table(root, 'group');
  return { user: (uid) => users.get(uid), group: (gid) => groups.get(gid) };
}
