/**
 * `stats`: a container's resource usage as docker's CLI computes it, read from the cgroup its
 * runtime made (`/wharf/<id>` in every v1 hierarchy, or under the v2 unified tree) and from
 * its network namespace. CPU % is the container's share of all CPUs' time between two samples
 * (docker's formula); memory excludes the inactive file cache; the limit is the host's memory
 * when the container has none. A container that is not running reads as zeros.
 */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type { ContainerRecord, ContainerState } from '../../container/types.js';
import type { Engine } from '../engine.js';

export interface Sample {
  /** ns of CPU the container used, and of all CPUs together, at the sample. */
  cpu: number;
  system: number;
  memory: number;
  limit: number;
  rx: number;
  tx: number;
  read: number;
  write: number;
  pids: number;
}

const text = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};
const num = (path: string): number | undefined => {
  const t = text(path)?.trim();
  return t === undefined || t === '' || t === 'max' ? undefined : Number(t);
};
/** `key value` lines (memory.stat, cpu.stat, io.stat's fields) as a map. */
const keyed = (t = '') => new Map(t.split('\n').map((l) => l.trim().split(/\s+/) as [string, string]).filter(([, v]) => v !== undefined).map(([k, v]) => [k, Number(v)]));

/** All CPUs' time in ns, from /proc/stat's first line (USER_HZ ticks, 100 per second). */
function systemCpu(): number {
  const fields = (text('/proc/stat') ?? '').split('\n')[0]!.trim().split(/\s+/).slice(1, 8).map(Number);
  return fields.reduce((a, b) => a + b, 0) * 1e7;
}

function netBytes(pid: number): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of (text(`/proc/${pid}/net/dev`) ?? '').split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (!rest || name!.trim() === 'lo') continue;
    const f = rest.trim().split(/\s+/).map(Number);
    rx += f[0] ?? 0;
    tx += f[8] ?? 0;
  }
  return { rx, tx };
}

/** One reading of a running container's counters; zeros when it does not run. */
export function sample(rec: ContainerRecord, st: ContainerState): Sample {
  const zero = { cpu: 0, system: systemCpu(), memory: 0, limit: 0, rx: 0, tx: 0, read: 0, write: 0, pids: 0 };
  if (!st.Running || !st.Pid) return zero;
  const v1 = (ctl: string, file: string) => `/sys/fs/cgroup/${ctl}/wharf/${rec.Id}/${file}`;
  const v2 = (file: string) => `/sys/fs/cgroup/wharf/${rec.Id}/${file}`;
  const unified = text(v2('cgroup.procs')) !== undefined;
  const memStat = keyed(text(unified ? v2('memory.stat') : v1('memory', 'memory.stat')));
  const usage = (unified ? num(v2('memory.current')) : num(v1('memory', 'memory.usage_in_bytes'))) ?? 0;
  const inactive = memStat.get(unified ? 'inactive_file' : 'total_inactive_file') ?? 0;
  const hostMem = totalmem();
  const limit = Math.min((unified ? num(v2('memory.max')) : num(v1('memory', 'memory.limit_in_bytes'))) ?? hostMem, hostMem);
  let read = 0;
  let write = 0;
  if (unified) {
    for (const line of (text(v2('io.stat')) ?? '').split('\n')) {
      read += Number(/rbytes=(\d+)/.exec(line)?.[1] ?? 0);
      write += Number(/wbytes=(\d+)/.exec(line)?.[1] ?? 0);
    }
  } else {
    for (const line of (text(v1('blkio', 'blkio.throttle.io_service_bytes_recursive')) ?? '').split('\n')) {
      const [, op, n] = line.trim().split(/\s+/);
      if (op === 'Read') read += Number(n);
      if (op === 'Write') write += Number(n);
    }
  }
  return {
    cpu: (unified ? (keyed(text(v2('cpu.stat'))).get('usage_usec') ?? 0) * 1000 : num(v1('cpuacct', 'cpuacct.usage'))) ?? 0,
    system: systemCpu(),
    memory: inactive < usage ? usage - inactive : usage,
    limit,
    ...netBytes(st.Pid),
    read,
    write,
    pids: (unified ? num(v2('pids.current')) : num(v1('pids', 'pids.current'))) ?? 0,
  };
}

/** One reading of a container, raw: the front end computes CPU % from two (docker/cli's rule). */
export interface StatsSample extends Sample {
  id: string;
  name: string;
  /** Epoch ms of the reading. */
  read_at: number;
  /** Logical CPUs of the host, for the CPU % formula. */
  onlineCpus: number;
}

export function sampleStats(engine: Engine, ref: string): StatsSample {
  const rec = engine.containers.get(ref);
  return { ...sample(rec, engine.containers.state(rec.Id)), id: rec.Id, name: rec.Name, read_at: Date.now(), onlineCpus: cpus().length };
}
