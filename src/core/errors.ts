/**
 * Typed errors. Every failure carries a stable `code` (for programs), an `httpStatus`
 * (for the API edge) and an optional `hint`; the CLI prints `message` on one line.
 */
export type ErrorCode =
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_ARGUMENT'
  | 'INVALID_REFERENCE'
  | 'DIGEST_MISMATCH'
  | 'CORRUPT'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNAVAILABLE'
  | 'UNSUPPORTED'
  | 'INTERNAL';

const statusByCode: Record<ErrorCode, number> = {
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_ARGUMENT: 400,
  INVALID_REFERENCE: 400,
  DIGEST_MISMATCH: 400,
  CORRUPT: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNAVAILABLE: 503,
  UNSUPPORTED: 501,
  INTERNAL: 500,
};

/**
 * Finer than the code, for callers that must tell failures of one code apart (never by the
 * message's text, which is docker's wording and may change).
 */
export type ErrorReason =
  /** The image named does not exist in the store. */
  | 'NO_SUCH_IMAGE'
  /** `push` of a tag that is not in the store. */
  | 'IMAGE_NOT_LOCAL'
  /** A Go template that does not parse or execute (docker's CLI reports it itself). */
  | 'TEMPLATE'
  /** `cp -`: the destination is not a directory (docker's CLI checks it itself). */
  | 'CP_DESTINATION'
  /** The content store read the whole stream and its digest is not the one expected. */
  | 'CONTENT_DIGEST';

export interface ErrorOptions {
  hint?: string;
  reason?: ErrorReason;
  cause?: unknown;
  /** Process exit code the CLI should use (Docker uses 1 for most errors, 125 for run failures). */
  exitCode?: number;
  /**
   * A check of the user's input that docker makes in its daemon, not in its CLI: reported as
   * "Error response from daemon: ..." even when wharf's CLI finds it while reading the flags.
   */
  daemonSide?: boolean;
}

export class WharfError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly hint?: string;
  readonly reason?: ErrorReason;
  readonly exitCode: number;
  readonly daemonSide: boolean;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WharfError';
    this.code = code;
    this.httpStatus = statusByCode[code];
    this.hint = options.hint;
    this.reason = options.reason;
    this.exitCode = options.exitCode ?? 1;
    this.daemonSide = options.daemonSide ?? false;
  }
}

export const notFound = (message: string, options?: ErrorOptions) => new WharfError('NOT_FOUND', message, options);
export const conflict = (message: string, options?: ErrorOptions) => new WharfError('CONFLICT', message, options);
export const invalidArgument = (message: string, options?: ErrorOptions) =>
  new WharfError('INVALID_ARGUMENT', message, options);
export const corrupt = (message: string, options?: ErrorOptions) => new WharfError('CORRUPT', message, options);

export function isWharfError(err: unknown, code?: ErrorCode): err is WharfError {
  return err instanceof WharfError && (code === undefined || err.code === code);
}

/** A WharfError with this reason. */
export function hasReason(err: unknown, reason: ErrorReason): err is WharfError {
  return err instanceof WharfError && err.reason === reason;
}

/** One line for a human: the message, never a stack. */
export function errorLine(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? String(err);
  return String(err);
}
