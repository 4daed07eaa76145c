/**
 * `logs`: a container's json-file log as an async iterable of entries, oldest first, with
 * docker's tail/since/until; with `follow` it goes on with what is appended until the
 * container stops or `signal` aborts. The front end decides where each stream goes.
 */
import { join } from 'node:path';
import { followLog, readLogLines, type LogLine } from '../../container/runtime/logs.js';
import type { Engine } from '../engine.js';

export type { LogLine } from '../../container/runtime/logs.js';

export interface LogsOptions {
  follow?: boolean;
  /** Lines from the end; undefined for all. */
  tail?: number;
  /** Epoch ms bounds. */
  since?: number;
  until?: number;
  signal?: AbortSignal;
}

export async function* containerLogs(engine: Engine, ref: string, o: LogsOptions = {}): AsyncGenerator<LogLine> {
  const store = engine.containers;
  const rec = store.get(ref);
  const path = join(store.dir(rec.Id), `${rec.Id}-json.log`);
  yield* readLogLines(path, { tail: o.tail, since: o.since, until: o.until });
  if (!o.follow || o.signal?.aborted) return;
  // followLog pushes; the queue hands its lines to this generator's pulls.
  const queue: LogLine[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  let closed = false; // the consumer left (break, return, throw)
  const stopped = () => {
    if (closed || o.signal?.aborted) return true;
    const s = store.state(rec.Id);
    return !s.Running && !s.Restarting;
  };
  const following = followLog(path, (l) => (queue.push(l), wake?.()), stopped).then(() => {
    done = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  o.signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      while (queue.length) yield queue.shift()!;
      if (done || o.signal?.aborted) break;
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    closed = true;
    await following;
  }
}
