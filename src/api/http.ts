/**
 * The HTTP side of one API request: query values as Docker's API parses them (`1`/`true`
 * for booleans), bounded JSON bodies, and the three
 * ways an answer goes out: a JSON value, an empty status, or a stream of JSON messages.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WharfError } from '../core/errors.js';

/** Request bodies the API parses as JSON are small; anything larger is refused (413). */
export const MAX_JSON_BODY = 4 * 1024 * 1024;

export interface ApiRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  /** The path without the `/vX.Y` prefix. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly params: Record<string, string>;
  /** The API version the client asked for (the server's own when the path had none). */
  readonly version: string;
  /** For a request that asked for `Upgrade: tcp`: the connection, to be taken over. */
  readonly upgrade?: { socket: import('node:net').Socket; head: Buffer };
}

/** A body past the limit: 413, and the connection is not read further. */
export class BodyTooLarge extends WharfError {
  constructor(limit: number) {
    super('INVALID_ARGUMENT', `request body exceeds the limit of ${limit} bytes`);
  }
}

export const badRequest = (message: string) => new WharfError('INVALID_ARGUMENT', message);

/** Docker's boolean query values: "1", "true", "True" are true; absent, "", "0", "false" are not. */
export function boolQuery(q: URLSearchParams, key: string, dflt = false): boolean {
  const v = q.get(key);
  if (v === null || v === '') return dflt;
  return !['0', 'false', 'False', 'no'].includes(v);
}

export function intQuery(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
  return n;
}

/** The body as a Buffer, at most `limit` bytes (413 beyond). */
export async function readBody(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw new BodyTooLarge(limit);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** A JSON object body; an empty body is `{}` (docker accepts it where every field is optional). */
export async function readJson<T = Record<string, unknown>>(req: IncomingMessage): Promise<T> {
  const body = await readBody(req);
  if (!body.length) return {} as T;
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw badRequest('json: cannot unmarshal the body into an object');
  return v as T;
}

export function sendJson(r: ApiRequest, status: number, value: unknown): void {
  const body = JSON.stringify(value) + '\n';
  r.res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  r.res.end(r.method === 'HEAD' ? undefined : body);
}

export function sendStatus(r: ApiRequest, status: number): void {
  r.res.writeHead(status);
  r.res.end();
}

/** A stream of JSON messages (pull, push, load, events, stats): one object per line, flushed as it comes. */
export class JsonStream {
  private started = false;
  constructor(private readonly r: ApiRequest) {}
  write(value: unknown): void {
    if (!this.started) {
      this.started = true;
      this.r.res.writeHead(200, { 'Content-Type': 'application/json' });
    }
    this.r.res.write(JSON.stringify(value) + '\r\n');
  }
  /** A failure once the stream has begun goes in the stream, as Docker's errorDetail message. */
  fail(err: unknown): void {
    const message = (err as Error).message ?? String(err);
    // A code (a failed RUN's exit status) is what docker's CLI exits with.
    const code = (err as { exitCode?: unknown }).exitCode;
    this.write({ errorDetail: { ...(typeof code === 'number' && code > 1 ? { code } : {}), message }, error: message });
  }
  get begun(): boolean {
    return this.started;
  }
  end(): void {
    if (!this.started) this.r.res.writeHead(200, { 'Content-Type': 'application/json' });
    this.r.res.end();
  }
}
