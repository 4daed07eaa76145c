/**
 * GET /containers/{id}/stats: Docker's stats JSON (cpu_stats with a precpu_stats reading
 * before it, memory_stats, networks, blkio_stats, pids_stats) from the engine's samples,
 * streamed each second, or one reading (`one-shot`, no precpu) or two (`stream=false`).
 */
import type { Engine } from '../engine.js';
import { sampleStats, type StatsSample } from './stats.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ZERO_TIME = '0001-01-01T00:00:00Z';

function cpuStats(s: StatsSample | undefined) {
  return {
    cpu_usage: { total_usage: s?.cpu ?? 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    system_cpu_usage: s?.system ?? 0,
    online_cpus: s?.onlineCpus ?? 0,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

function statsJson(now: StatsSample, pre?: StatsSample) {
  return {
    read: new Date(now.read_at).toISOString(),
    preread: pre ? new Date(pre.read_at).toISOString() : ZERO_TIME,
    pids_stats: { current: now.pids },
    blkio_stats: {
      io_service_bytes_recursive: [
        { major: 0, minor: 0, op: 'Read', value: now.read },
        { major: 0, minor: 0, op: 'Write', value: now.write },
      ],
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(now),
    precpu_stats: cpuStats(pre),
    memory_stats: { usage: now.memory, stats: {}, limit: now.limit },
    name: `/${now.name}`,
    id: now.id,
    networks: { eth0: { rx_bytes: now.rx, rx_packets: 0, rx_errors: 0, rx_dropped: 0, tx_bytes: now.tx, tx_packets: 0, tx_errors: 0, tx_dropped: 0 } },
  };
}

export async function* containerStats(engine: Engine, ref: string, o: { stream: boolean; oneShot?: boolean }, aborted: () => boolean): AsyncGenerator<Record<string, unknown>> {
  let prev = sampleStats(engine, ref);
  if (o.oneShot || o.stream) yield statsJson(prev);
  if (o.oneShot) return;
  while (!aborted()) {
    await sleep(1000);
    if (aborted()) return;
    const now = sampleStats(engine, ref);
    yield statsJson(now, prev);
    if (!o.stream) return;
    prev = now;
  }
}
