/** `stats`: docker's live table of container resource usage, or one reading with --no-stream. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { printRows } from '../output.js';
import { statsRow } from '../format/stats.js';
import { listContainers, sampleStats, type StatsSample } from '../../engine/containers.js';

const DEFAULT_FORMAT = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';
const HEADERS = { ID: 'CONTAINER ID', Container: 'CONTAINER', Name: 'NAME', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT', MemPerc: 'MEM %', NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function registerStatsCommand(program: Command, container: Command, ctx: CliContext): void {
  for (const parent of [program, container]) {
    parent.command('stats').description('Display a live stream of container(s) resource usage statistics').argument('[CONTAINER...]')
      .option('-a, --all', 'Show all containers (default shows just running)')
      .option('--no-stream', 'Disable streaming stats and only pull the first result')
      .option('--no-trunc', "Don't truncate output")
      .option('--format <string>', 'Pretty-print images using a Go template')
      .action(async (refs: string[], o: { all?: boolean; stream: boolean; trunc: boolean; format?: string }) => {
        const engine = ctx.engine();
        // Named containers, in the order given; else the running (or all) ones, newest first.
        const pick = async (): Promise<string[]> => (refs.length ? refs : (await listContainers(engine, { all: o.all })).map((c) => c.Id.slice(0, 12)));
        const read = async () => new Map((await pick()).map((ref) => [ref, sampleStats(engine, ref)] as const));
        let previous = new Map<string, StatsSample>();
        const print = (readings: Map<string, StatsSample>) => {
          const rows = [...readings].map(([ref, now]) => {
            const row = statsRow(ref, previous.get(now.id) ?? now, now);
            return o.trunc ? row : { ...row, ID: now.id };
          });
          printRows(ctx, rows, { format: o.format, defaultFormat: DEFAULT_FORMAT, headers: HEADERS });
          previous = new Map([...readings.values()].map((s) => [s.id, s]));
        };
        // CPU % needs two readings: the first only sets the baseline (and finds unknown names).
        previous = new Map([...(await read()).values()].map((s) => [s.id, s]));
        await sleep(1000);
        if (!o.stream) return print(await read());
        for (;;) {
          if (process.stdout.isTTY) ctx.stdout.write('\x1b[2J\x1b[H');
          print(await read());
          await sleep(1000);
        }
      });
  }
}
