/**
 * Docker's CLI runs stop, kill and rm on several containers in parallel and reports each result
 * in the order the containers were named; wharf does the same (and for start too, whose output
 * keeps the same order). Each operation mostly waits on runc, mount and the monitor, so a few at
 * a time overlap well even on two cores.
 */
import type { CliContext } from '../context.js';

/** How many containers one command works on at once. */
export const PARALLEL_OPS = 8;

/**
 * Run `fn` for every reference, at most `limit` at a time; as soon as the results of a prefix of
 * `refs` are known, print them in order: the reference on success (when `print`), Docker's error
 * line otherwise.
 */
export async function eachRefParallel(
  ctx: CliContext,
  refs: string[],
  fn: (ref: string) => Promise<void>,
  o: { print?: boolean; limit?: number } = {},
): Promise<void> {
  const limit = Math.max(1, o.limit ?? PARALLEL_OPS);
  const results: ({ ok: true } | { ok: false; err: unknown } | undefined)[] = refs.map(() => undefined);
  let next = 0;
  let reported = 0;
  const report = () => {
    while (reported < refs.length && results[reported]) {
      const r = results[reported]!;
      if (r.ok) {
        if (o.print !== false) ctx.out(refs[reported]!);
      } else ctx.softFail(r.err);
      reported++;
    }
  };
  const worker = async () => {
    while (next < refs.length) {
      const i = next++;
      try {
        await fn(refs[i]!);
        results[i] = { ok: true };
      } catch (err) {
        results[i] = { ok: false, err };
      }
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, refs.length) }, worker));
}
