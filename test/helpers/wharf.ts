/** Run `bin/wharf` as a user would, against a test's own data root. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const WHARF_BIN = resolve(import.meta.dirname, '../../bin/wharf');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function tempDir(prefix = 'wharf-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Synchronous run; `input` is fed to stdin. */
export function wharf(root: string, args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): RunResult {
  const r = spawnSync(WHARF_BIN, ['--root', root, ...args], { input: opts.input ?? '', env: { ...process.env, ...opts.env }, maxBuffer: 1 << 30 });
  return { code: r.status ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** Asynchronous run, for tests that start several at once. */
export function wharfAsync(root: string, args: string[]): Promise<RunResult> {
  return new Promise((resolveRun) => {
    const child = spawn(WHARF_BIN, ['--root', root, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolveRun({ code: code ?? -1, stdout, stderr }));
  });
}

/** Like `wharf` but fails the test on a non-zero exit, returning stdout. */
export function wharfOk(root: string, args: string[], opts: { input?: string | Buffer } = {}): string {
  const r = wharf(root, args, opts);
  if (r.code !== 0) throw new Error(`wharf ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}
