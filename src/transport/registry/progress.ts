/**
 * Progress plumbing shared by registry pull and push: the sink they report to (the CLI's
 * ProgressRenderer fits it, a quiet run passes `silentProgress`), a throttle so byte counts
 * redraw a few times a second rather than per chunk, and a small concurrency limiter that
 * tells whether a job had to wait for a slot (Docker's "Waiting").
 */
export interface ProgressValue {
  current: number;
  total?: number;
}

export interface ProgressSink {
  /** A per-layer status keyed by a short ID. */
  update(id: string, status: string, progress?: ProgressValue): void;
  /** A line not tied to a layer. */
  line(text: string): void;
}

export const silentProgress: ProgressSink = { update() {}, line() {} };

/** Report byte progress at most every `intervalMs`, and always the final count. */
export function throttled(sink: ProgressSink, id: string, status: string, intervalMs = 100): (current: number, total?: number) => void {
  let last = 0;
  return (current, total) => {
    const now = Date.now();
    if (now - last < intervalMs && current !== total) return;
    last = now;
    sink.update(id, status, { current, total });
  };
}

/** Run at most `n` jobs at a time, in submission order. */
export class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly n: number) {}

  /** Whether a job submitted now would have to wait. */
  get full(): boolean {
    return this.active >= this.n;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active >= this.n) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    try {
      return await job();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

/**
 * Wait for every job; on the first failure call `onFail` (to abort the rest) and, once all
 * have settled, throw that first error.
 */
export async function settleAll<T>(jobs: Promise<T>[], onFail: (err: unknown) => void): Promise<T[]> {
  let first: { err: unknown } | undefined;
  const results = await Promise.all(
    jobs.map((p) =>
      p.catch((err: unknown) => {
        if (!first) {
          first = { err };
          onFail(err);
        }
        return undefined as T;
      }),
    ),
  );
  if (first) throw first.err;
  return results;
}
