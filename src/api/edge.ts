/**
 * The one place errors become HTTP: a WharfError's status (404 no such..., 409 conflict,
 * 400 bad parameter), 413 for an oversized body, 500 for anything else, always as Docker's
 * `{"message": "..."}` so the CLI prints `Error response from daemon: ...`.
 */
import { WharfError } from '../core/errors.js';
import { BodyTooLarge } from './http.js';

export function errorStatus(err: unknown): number {
  if (err instanceof BodyTooLarge) return 413;
  if (err instanceof WharfError) return err.httpStatus;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 404;
  return 500;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
