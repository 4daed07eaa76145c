/**
 * A row of docker's `stats` table (and `{{json .}}`) from two raw samples: CPU % is the
 * container's share of all CPUs' time between them, times the CPU count (docker/cli's
 * formula); memory % of the limit; sizes as docker prints them.
 */
import { bytesSize, humanSize } from '../../core/units.js';
import type { StatsSample } from '../../engine/containers.js';

export function statsRow(container: string, before: StatsSample, now: StatsSample): Record<string, string> {
  const cpuDelta = now.cpu - before.cpu;
  const systemDelta = now.system - before.system;
  const cpu = cpuDelta > 0 && systemDelta > 0 ? (cpuDelta / systemDelta) * now.onlineCpus * 100 : 0;
  const mem = now.limit ? (now.memory / now.limit) * 100 : 0;
  const io = (a: number, b: number) => `${humanSize(a, 3)} / ${humanSize(b, 3)}`;
  return {
    BlockIO: io(now.read, now.write),
    CPUPerc: `${cpu.toFixed(2)}%`,
    Container: container,
    ID: now.id.slice(0, 12),
    MemPerc: `${mem.toFixed(2)}%`,
    MemUsage: `${bytesSize(now.memory)} / ${bytesSize(now.limit)}`,
    Name: now.name,
    NetIO: io(now.rx, now.tx),
    PIDs: String(now.pids),
  };
}
