/**
 * `--change` / `-c` for import and commit: a Dockerfile instruction applied to an image
 * config. Only the instructions Docker accepts there (CMD, ENTRYPOINT, ENV, EXPOSE,
 * LABEL, USER, WORKDIR, VOLUME, ONBUILD, STOPSIGNAL).
 */
import { invalidArgument } from '../core/errors.js';
import type { ContainerConfig } from './types.js';

const ALLOWED = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'USER', 'WORKDIR', 'VOLUME', 'ONBUILD', 'STOPSIGNAL'];

/** Split on unquoted whitespace, removing quotes and backslash escapes. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) throw invalidArgument(`unmatched quote in: ${text}`);
  if (inWord) words.push(cur);
  return words;
}

/** JSON array form when it parses as a string array, else the shell form. */
function commandForm(args: string, shell: string[]): string[] {
  const trimmed = args.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed = JSON.parse(trimmed) as unknown;
      if (Array.isArray(parsed) && parsed.every((s) => typeof s === 'string')) return parsed as string[];
    } catch {
      // Not JSON: Docker falls back to the shell form.
    }
  }
  return [...shell, trimmed];
}

/** `k=v k2="v 2"` pairs, or the legacy `k v...` single pair. */
function keyValues(args: string, instruction: string): [string, string][] {
  const words = splitWords(args);
  if (words.length === 0) throw invalidArgument(`${instruction} requires at least one argument`);
  if (!words[0]!.includes('=')) {
    if (instruction === 'LABEL' || words.length < 2) throw invalidArgument(`${instruction} must have two arguments`);
    const rest = args.trim().slice(args.trim().indexOf(words[0]!) + words[0]!.length).trim();
    return [[words[0]!, splitWords(rest).join(' ')]];
  }
  return words.map((w) => {
    const i = w.indexOf('=');
    if (i <= 0) throw invalidArgument(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    return [w.slice(0, i), w.slice(i + 1)];
  });
}

/** Go marshals maps with sorted keys: keep ours in that order so config bytes match Docker's. */
function sortedKeys<T>(m: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function applyChange(config: ContainerConfig, change: string): void {
  const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(change);
  if (!m) throw invalidArgument('dockerfile parse error: empty change');
  const instruction = m[1]!.toUpperCase();
  const args = m[2]!;
  if (!ALLOWED.includes(instruction)) throw invalidArgument(`${m[1]!.toLowerCase()} is not a valid change command`);
  const shell = config.Shell ?? ['/bin/sh', '-c'];
  switch (instruction) {
    case 'CMD':
      config.Cmd = commandForm(args, shell);
      break;
    case 'ENTRYPOINT':
      config.Entrypoint = commandForm(args, shell);
      config.Cmd = config.Cmd ?? null;
      break;
    case 'ENV': {
      const env = [...(config.Env ?? [])];
      for (const [k, v] of keyValues(args, 'ENV')) {
        const i = env.findIndex((e) => e.split('=')[0] === k);
        if (i >= 0) env[i] = `${k}=${v}`;
        else env.push(`${k}=${v}`);
      }
      config.Env = env;
      break;
    }
    case 'LABEL':
      config.Labels = sortedKeys({ ...(config.Labels ?? {}), ...Object.fromEntries(keyValues(args, 'LABEL')) });
      break;
    case 'EXPOSE': {
      const ports = { ...(config.ExposedPorts ?? {}) };
      for (const p of splitWords(args)) {
        if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(p)) throw invalidArgument(`Invalid containerPort: ${p}`);
        ports[p.includes('/') ? p.toLowerCase() : `${p}/tcp`] = {};
      }
      config.ExposedPorts = sortedKeys(ports);
      break;
    }
    case 'USER':
      config.User = args.trim();
      break;
    case 'WORKDIR':
      config.WorkingDir = args.trim().startsWith('/') ? args.trim() : `${config.WorkingDir || '/'}${(config.WorkingDir ?? '').endsWith('/') ? '' : '/'}${args.trim()}`;
      break;
    case 'VOLUME': {
      const vols = { ...(config.Volumes ?? {}) };
      const list = args.trim().startsWith('[') ? (JSON.parse(args) as string[]) : splitWords(args);
      for (const v of list) vols[v] = {};
      config.Volumes = sortedKeys(vols);
      break;
    }
    case 'ONBUILD':
      config.OnBuild = [...(config.OnBuild ?? []), args.trim()];
      break;
    case 'STOPSIGNAL':
      config.StopSignal = args.trim();
      break;
  }
}
