/** `commit -c`: the Dockerfile instructions Docker allows there, applied to a container config. */
import { WharfError } from '../../core/errors.js';
import type { ContainerConfig } from '../../image/types.js';
import { mergeEnv } from '../../container/runtime/prepare.js';

function jsonOrShell(rest: string, shell = true): string[] {
  const t = rest.trim();
  if (t.startsWith('[')) {
    try {
      const v = JSON.parse(t) as unknown;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    } catch {
      /* shell form */
    }
  }
  return shell ? ['/bin/sh', '-c', t] : t.split(/\s+/).filter(Boolean);
}

function keyValues(rest: string): [string, string][] {
  const t = rest.trim();
  if (!t.includes('=') || /^\S+\s/.test(t) && !t.split(/\s+/)[0]!.includes('=')) {
    const sp = t.search(/\s/);
    return sp < 0 ? [[t, '']] : [[t.slice(0, sp), t.slice(sp + 1).trim()]];
  }
  const out: [string, string][] = [];
  const re = /([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  for (const m of t.matchAll(re)) {
    let v = m[2]!;
    if (v.startsWith('"')) v = JSON.parse(v) as string;
    else if (v.startsWith("'")) v = v.slice(1, -1);
    out.push([m[1]!, v]);
  }
  return out;
}

export function applyChanges(config: ContainerConfig, changes: string[]): ContainerConfig {
  const c: ContainerConfig = { ...config };
  for (const change of changes) {
    const m = /^\s*(\S+)\s*(.*)$/s.exec(change);
    if (!m) continue;
    const [, word, rest = ''] = m;
    switch (word!.toUpperCase()) {
      case 'CMD':
        c.Cmd = jsonOrShell(rest);
        break;
      case 'ENTRYPOINT':
        c.Entrypoint = jsonOrShell(rest);
        break;
      case 'ENV':
        c.Env = mergeEnv(c.Env ?? [], keyValues(rest).map(([k, v]) => `${k}=${v}`));
        break;
      case 'LABEL':
        c.Labels = { ...(c.Labels ?? {}), ...Object.fromEntries(keyValues(rest)) };
        break;
      case 'EXPOSE':
        c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
        for (const p of rest.trim().split(/\s+/)) c.ExposedPorts[p.includes('/') ? p : `${p}/tcp`] = {};
        break;
      case 'USER':
        c.User = rest.trim();
        break;
      case 'WORKDIR':
        c.WorkingDir = rest.trim();
        break;
      case 'VOLUME':
        c.Volumes = { ...(c.Volumes ?? {}) };
        for (const v of jsonOrShell(rest, false)) c.Volumes[v] = {};
        break;
      case 'STOPSIGNAL':
        c.StopSignal = rest.trim();
        break;
      case 'ONBUILD':
        c.OnBuild = [...(c.OnBuild ?? []), rest.trim()];
        break;
      default:
        throw new WharfError('INVALID_ARGUMENT', `${word!.toLowerCase()} is not a valid change command`);
    }
  }
  return c;
}
