/**
 * Resolve `-u user[:group]` (names or numbers) against the image's /etc/passwd and /etc/group,
 * the way Docker does: names must exist, numbers need not; supplementary groups are /etc/group
 * memberships plus the primary group (only the group, when one is named); HOME from passwd.
 */
import { WharfError } from '../../core/errors.js';
import { readFileSync } from 'node:fs';
import { resolvePath, type FsView } from '../../archive/layer-stack.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

function readTable(view: FsView, file: string): string[][] {
  try {
    return readFileSync(view.hostPath(resolvePath(view, `/etc/${file}`)), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch {
    return [];
  }
}

const isNum = (s: string) => /^\d+$/.test(s);

export function resolveUser(view: FsView, spec: string | undefined): ResolvedUser {
  const [userPart = '', groupPart] = (spec || '').split(':', 2);
  const passwd = readTable(view, 'passwd');
  const groups = readTable(view, 'group');
  let uid = 0;
  let gid = 0;
  let home = '/';
  let name = 'root';
  const user = userPart || 'root';
  const entry = passwd.find((p) => (isNum(user) ? p[2] === user : p[0] === user));
  if (entry) {
    uid = Number(entry[2]);
    gid = Number(entry[3]);
    home = entry[5] || '/';
    name = entry[0]!;
  } else if (isNum(user) || !userPart) {
    uid = userPart ? Number(user) : 0;
    name = '';
  } else {
    throw new WharfError('INVALID_ARGUMENT', `unable to find user ${user}: no matching entries in passwd file`, { exitCode: 126 });
  }
  if (groupPart !== undefined && groupPart !== '') {
    const g = groups.find((e) => (isNum(groupPart) ? e[2] === groupPart : e[0] === groupPart));
    if (g) gid = Number(g[2]);
    else if (isNum(groupPart)) gid = Number(groupPart);
    else throw new WharfError('INVALID_ARGUMENT', `unable to find group ${groupPart}: no matching entries in group file`, { exitCode: 126 });
  }
  // As runc's GetExecUser for Docker: a named group is the only one; otherwise the user's
  // memberships plus the primary group (so `id` lists it, as in a Docker container).
  const members = name ? groups.filter((g) => (g[3] ?? '').split(',').includes(name)).map((g) => Number(g[2])) : [];
  const additionalGids = groupPart ? [gid] : [...new Set([...members, gid])];
  return { uid, gid, additionalGids, home };
}
