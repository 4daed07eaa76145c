/**
 * The run flags that shape a container's process beyond docker's defaults: `--cap-add` and
 * `--cap-drop` (capability names as docker normalises them), and `--ulimit` (docker's
 * go-units names and syntax). Their errors are docker's.
 */
import { WharfError } from '../../core/errors.js';

/** Every capability of Linux 5.x, in the kernel's order. */
const ALL_CAPS = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
].map((c) => `CAP_${c}`);

/** `net_admin`, `CAP_NET_ADMIN` -> `CAP_NET_ADMIN`; `ALL` stays `ALL`. */
export function normalizeCaps(caps: readonly string[], flag: 'CapAdd' | 'CapDrop'): string[] {
  return caps.map((c) => {
    const upper = c.toUpperCase();
    if (upper === 'ALL') return 'ALL';
    const name = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
    if (!ALL_CAPS.includes(name)) throw new WharfError('INVALID_ARGUMENT', `invalid ${flag}: unknown capability: ${JSON.stringify(name)}`, { exitCode: 125 });
    return name;
  });
}

/** docker's rule: ALL added is every capability but the dropped; ALL dropped leaves the added; else defaults - drop + add. */
export function effectiveCaps(defaults: readonly string[], add: readonly string[] = [], drop: readonly string[] = []): string[] {
  if (add.includes('ALL')) return ALL_CAPS.filter((c) => !drop.includes(c));
  const base = drop.includes('ALL') ? [] : defaults.filter((c) => !drop.includes(c));
  return [...new Set([...base, ...add])];
}

export interface Ulimit {
  Name: string;
  Hard: number;
  Soft: number;
}

const ULIMIT_NAMES = ['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack'];

/** `--ulimit nofile=1024:2048` or `nproc=100` (soft = hard). */
export function parseUlimit(spec: string): Ulimit {
  const fail = (why: string) => new WharfError('INVALID_ARGUMENT', `invalid argument ${JSON.stringify(spec)} for "--ulimit" flag: ${why}`, { exitCode: 125 });
  const eq = spec.indexOf('=');
  if (eq < 0) throw fail(`invalid ulimit argument: ${spec}`);
  const name = spec.slice(0, eq);
  if (!ULIMIT_NAMES.includes(name)) throw fail(`invalid ulimit type: ${name}`);
  const parts = spec.slice(eq + 1).split(':');
  if (parts.length > 2 || parts.some((p) => !/^-?\d+$/.test(p))) throw fail(`invalid ulimit argument: ${spec.slice(eq + 1)}`);
  const soft = Number(parts[0]);
  const hard = parts.length === 2 ? Number(parts[1]) : soft;
  if (soft > hard) throw fail(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  return { Name: name, Hard: hard, Soft: soft };
}

/** OCI rlimits for `ulimits`, with NOFILE at `defaultNofile` unless given. */
export function rlimits(ulimits: readonly Ulimit[], defaultNofile: number): { type: string; hard: number; soft: number }[] {
  const out = ulimits.map((u) => ({ type: `RLIMIT_${u.Name.toUpperCase()}`, hard: u.Hard, soft: u.Soft }));
  if (!out.some((r) => r.type === 'RLIMIT_NOFILE')) out.unshift({ type: 'RLIMIT_NOFILE', hard: defaultNofile, soft: defaultNofile });
  return out;
}
