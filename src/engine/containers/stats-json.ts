/**
 * GET /containers/{id}/stats: Docker's stats JSON (cpu_stats with a precpu_stats reading
 * before it, memory_stats, networks, blkio_stats, pids_stats) from the engine's samples,
 * streamed each second, or one reading (`one-shot`, no precpu) or two (`stream=false`).
 */
import { cpus } from 'node:os';
import { sample, type Sample } from './stats.js';
import { getContainer } from './api-ops.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ZERO_TIME = '0001-01-01T00:00:00Z';

function cpuStats(s: Sample | undefined) {
  return {
    cpu_usage: { total_usage: s?.cpu ?? 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    system_cpu_usage: s?.system ?? 0,
    online_cpus: s ? cpus().length : 0,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

function statsJson(name: string, id: string, now: Sample, at: Date, pre?: Sample, preAt?: Date) {
  return {
    read: at.toISOString(),
    preread: preAt ? preAt.toISOString() : ZERO_TIME,
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
    name: `/${name}`,
    id,
    networks: { eth0: { rx_bytes: now.rx, rx_packets: 0, rx_errors: 0, rx_dropped: 0, tx_bytes: now.tx, tx_packets: 0, tx_errors: 0, tx_dropped: 0 } },
  };
}

export async function* containerStats(root: string, ref: string, o: { stream: boolean; oneShot?: boolean }, aborted: () => boolean): AsyncGenerator<Record<string, unknown>> {
  const read = () => {
    const { rec, st } = getContainer(root, ref);
    return { rec, s: sample(rec, st), at: new Date() };
  };
  let prev = read();
  if (o.oneShot) {
    yield statsJson(prev.rec.Name, prev.rec.Id, prev.s, prev.at);
    return;
  }
  if (o.stream) yield statsJson(prev.rec.Name, prev.rec.Id, prev.s, prev.at);
  while (!aborted()) {
    await sleep(1000);
    if (aborted()) return;
    const now = read();
    yield statsJson(now.rec.Name, now.rec.Id, now.s, now.at, prev.s, prev.at);
    if (!o.stream) return;
    prev = now;
  }
}
