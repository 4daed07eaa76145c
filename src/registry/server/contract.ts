/**
 * The runner both contract suites (blobs/testsuite.ts, meta/testsuite.ts) use: each case gets
 * a fresh store from `open` and its cleanup runs whatever the case did.
 */
import { test } from 'node:test';

export type OpenStore<T> = () => Promise<{ store: T; cleanup(): Promise<void> }>;

export function contractCases<T>(name: string, open: OpenStore<T>, skip?: string) {
  return (title: string, fn: (store: T) => Promise<void>) =>
    test(`${name}: ${title}`, { skip }, async () => {
      const { store, cleanup } = await open();
      try {
        await fn(store);
      } finally {
        await cleanup();
      }
    });
}
