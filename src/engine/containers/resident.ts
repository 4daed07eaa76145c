/**
 * Containers supervised by the serving process itself (`wharf serve` without
 * --live-restore, docker's default): the monitor's work (container/runtime/runner.ts) runs
 * in the server, so a start costs no node start-up, and the containers stop with the server,
 * as dockerd's do. The control socket is the same, so the CLI and every other client attach,
 * stop and wait exactly as with a detached monitor.
 */
import { errorLine, WharfError } from '../../core/errors.js';
import { Runner } from '../../container/runtime/runner.js';
import type { Engine } from '../engine.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const residents = new Set<Runner>();
/** Final exit codes of resident containers, kept a minute: a --rm container's record is gone by the time a waiter looks. */
const finals = new Map<string, Promise<number>>();

/** The final exit code of a container this process started, if it did. */
export const residentExit = (id: string): Promise<number> | undefined => finals.get(id);

/**
 * Start `id` under this process. With `waitAttach` the container starts once a client has
 * attached (or after 15 s), and a start failure goes to that client as the monitor's error
 * event; otherwise this resolves once it runs, or throws the start error.
 */
export async function startResident(engine: Engine, id: string, o: { waitAttach?: boolean; size?: { cols: number; rows: number } } = {}): Promise<void> {
  const runner = new Runner(engine, id, o.size ? { size: o.size } : {});
  let attached!: () => void;
  const attachedP = new Promise<void>((r) => (attached = r));
  await runner.listen(() => attached());
  residents.add(runner);
  const supervise = () => {
    const final = runner.supervise().finally(() => {
      residents.delete(runner);
      setTimeout(() => finals.delete(id), 60_000).unref();
    });
    final.catch(() => undefined);
    finals.set(id, final);
  };
  const fail = async (err: unknown) => {
    residents.delete(runner);
    await runner.finishFailed();
    return new WharfError('INTERNAL', errorLine(err), { exitCode: err instanceof WharfError ? err.exitCode : 125, cause: err });
  };
  if (o.waitAttach) {
    void (async () => {
      await Promise.race([attachedP, sleep(15000)]);
      try {
        await runner.start(true);
      } catch (err) {
        runner.notify({ event: 'error', message: errorLine(err), exitCode: err instanceof WharfError ? err.exitCode : 125 });
        await fail(err);
        return;
      }
      runner.notify({ event: 'started' });
      supervise();
    })();
    return;
  }
  try {
    await runner.start(true);
  } catch (err) {
    throw await fail(err);
  }
  supervise();
}

/** Stop every container this process supervises (the server is shutting down). */
export async function stopResidents(): Promise<void> {
  await Promise.all([...residents].map((r) => r.stop().catch(() => undefined)));
}
