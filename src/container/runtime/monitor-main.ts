/**
 * Entry point of the per-container monitor: a small detached node process started by the CLI.
 * Usage: monitor-main ROOT ID [--wait-attach] [--cols N --rows N].
 * It reports one JSON line on stdout to the CLI that started it (started / error / listening),
 * then supervises the container until its final exit and cleans up.
 */
import { errorLine, WharfError } from '../../core/errors.js';
import { Runner } from './runner.js';
import { openContainerStores } from '../stores.js';

process.stdout.on('error', () => undefined);

function handshake(ev: object): void {
  try {
    process.stdout.write(JSON.stringify(ev) + '\n');
  } catch {
    /* the CLI is gone */
  }
}

async function main(argv: string[]): Promise<number> {
  const [root, id] = argv;
  if (!root || !id) return 2;
  process.title = `wharf-monitor ${id.slice(0, 12)}`;
  const waitAttach = argv.includes('--wait-attach');
  const num = (flag: string) => Number(argv[argv.indexOf(flag) + 1]) || 0;
  const runner = new Runner(openContainerStores(root), id, argv.includes('--cols') ? { size: { cols: num('--cols'), rows: num('--rows') } } : {});
  let attached!: () => void;
  const attachedP = new Promise<void>((r) => (attached = r));
  await runner.listen(() => attached());
  if (waitAttach) {
    handshake({ event: 'listening' });
    const timeout = new Promise<void>((r) => setTimeout(r, 15000).unref());
    await Promise.race([attachedP, timeout]);
  }
  try {
    await runner.start(true);
  } catch (err) {
    const ev = { event: 'error', message: errorLine(err), exitCode: err instanceof WharfError ? err.exitCode : 125 };
    if (waitAttach) runner.notify(ev as never);
    else handshake(ev);
    await runner.finishFailed();
    return 1;
  }
  if (waitAttach) runner.notify({ event: 'started' });
  else handshake({ event: 'started' });
  process.on('SIGTERM', () => void runner.stop());
  process.on('SIGINT', () => undefined);
  process.on('SIGHUP', () => undefined);
  return runner.supervise();
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Give the last frames a moment to flush to attached clients, then leave.
    setTimeout(() => process.exit(code), 50).unref();
  },
  (err) => {
    process.stderr.write(`wharf-monitor: ${errorLine(err)}\n`);
    process.exit(1);
  },
);
