/**
 * What every command gets: a lazily opened engine (so `wharf version` never touches the
 * data root), output streams, and Docker's error conventions: errors the daemon would
 * report read "Error response from daemon: ...", client-side ones "Error: ...".
 */
import type { Engine } from '../engine/engine.js';
import { WharfError, errorLine, hasReason } from '../core/errors.js';

export interface CliContext {
  engine(): Engine;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  /** Write a line to stdout. */
  out(line: string): void;
  /** Write a line to stderr. */
  err(line: string): void;
  /** Record a non-fatal failure (e.g. one of several `rmi` arguments) and keep going. */
  softFail(err: unknown, exitCode?: number): void;
  /** The exit code so far (0 unless softFail was called). */
  exitCode: number;
}

/** Thrown to end the process with a given code after output was already written. */
export class ExitError extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

/** A client-side error, printed as docker's CLI prints its own: "Error: ..." or raw. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly raw = false,
  ) {
    super(message);
  }
}

export function formatError(err: unknown): string {
  if (err instanceof CliError) return err.raw ? err.message : `Error: ${err.message}`;
  // Template errors come from the docker CLI itself, which prints them bare.
  if (hasReason(err, 'TEMPLATE')) return errorLine(err);
  if (err instanceof WharfError) return `Error response from daemon: ${errorLine(err)}`;
  return `Error: ${errorLine(err)}`;
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof ExitError || err instanceof CliError || err instanceof WharfError) return err.exitCode;
  return 1;
}

/** A reader that went away (`wharf images | head`) ends us quietly, as SIGPIPE ends docker. */
function exitOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

export function createContext(openEngine: () => Engine): CliContext & { closeEngine(): void } {
  exitOnClosedPipe(process.stdout);
  let engine: Engine | undefined;
  const ctx = {
    exitCode: 0,
    stdout: process.stdout,
    stderr: process.stderr,
    engine: () => (engine ??= openEngine()),
    out: (line: string) => void process.stdout.write(line + '\n'),
    err: (line: string) => void process.stderr.write(line + '\n'),
    softFail(err: unknown, exitCode?: number) {
      process.stderr.write(formatError(err) + '\n');
      ctx.exitCode = exitCode ?? exitCodeOf(err);
    },
    closeEngine: () => engine?.close(),
  };
  return ctx;
}
