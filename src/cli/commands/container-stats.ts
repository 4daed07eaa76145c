/** `stats`: docker's live table of container resource usage, or one reading with --no-stream. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { printRows } from '../output.js';
import { WharfError } from '../../core/errors.js';
import { ContainerStore } from '../../container/store.js';
import type { ContainerRecord } from '../../container/types.js';
import { sample, statsRow, type Sample } from '../../engine/containers/stats.js';

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
        const store = new ContainerStore(ctx.engine().root);
        // Named containers, in the order given; else the running (or all) ones, newest first.
        const pick = (): [string, ContainerRecord][] => {
          if (refs.length) return refs.map((r) => [r, store.get(r)]);
          const recs = store.list().sort((a, b) => Date.parse(b.Created) - Date.parse(a.Created));
          return recs.filter((r) => o.all || store.state(r.Id).Running).map((r) => [r.Id.slice(0, 12), r]);
        };
        let previous = new Map<string, Sample>();
        const read = () => new Map(pick().map(([ref, rec]) => [ref, { rec, now: sample(rec, store.state(rec.Id)) }] as const));
        const print = (readings: ReturnType<typeof read>) => {
          const rows = [...readings].map(([ref, { rec, now }]) => {
            const row = statsRow(ref, rec, previous.get(rec.Id) ?? now, now);
            return o.trunc ? row : { ...row, ID: rec.Id };
          });
          printRows(ctx, rows, { format: o.format, defaultFormat: DEFAULT_FORMAT, headers: HEADERS });
          previous = new Map([...readings.values()].map(({ rec, now }) => [rec.Id, now]));
        };
        for (const r of refs) if (!store.resolve(r)) throw new WharfError('NOT_FOUND', `No such container: ${r}`);
        // CPU % needs two readings: the first only sets the baseline.
        previous = new Map([...read().values()].map(({ rec, now }) => [rec.Id, now]));
        await sleep(1000);
        if (!o.stream) return print(read());
        for (;;) {
          if (process.stdout.isTTY) ctx.stdout.write('\x1b[2J\x1b[H');
          print(read());
          await sleep(1000);
        }
      });
  }
}
