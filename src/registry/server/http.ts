/**
 * Request plumbing shared by all routes: the per-request context, response helpers that
 * always add the distribution headers, a bounded body reader, and the route table type.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { RegistryError, regError } from './errors.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  id: string;
  /** Authenticated account, if any. */
  actor?: string;
  params: Record<string, string>;
  started: number;
}

export function newContext(req: IncomingMessage, res: ServerResponse, secure: boolean): RequestContext {
  const host = req.headers.host ?? 'localhost';
  const url = new URL(req.url ?? '/', `${secure ? 'https' : 'http'}://${host}`);
  return { req, res, url, id: randomUUID(), params: {}, started: Date.now() };
}

export function baseHeaders(res: ServerResponse): void {
  res.setHeader('Docker-Distribution-Api-Version', 'registry/2.0');
  res.setHeader('X-Content-Type-Options', 'nosniff');
}

export function send(ctx: RequestContext, status: number, headers: Record<string, string | number> = {}, body?: Buffer | string): void {
  const { res } = ctx;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (body !== undefined && !res.hasHeader('Content-Length')) res.setHeader('Content-Length', Buffer.byteLength(body));
  if (body === undefined && !res.hasHeader('Content-Length') && status !== 204 && status !== 304) res.setHeader('Content-Length', 0);
  res.statusCode = status;
  res.end(ctx.req.method === 'HEAD' ? undefined : body);
}

export function sendJson(ctx: RequestContext, status: number, value: unknown, headers: Record<string, string | number> = {}): void {
  send(ctx, status, { 'Content-Type': 'application/json; charset=utf-8', ...headers }, JSON.stringify(value));
}

export function sendError(ctx: RequestContext, err: RegistryError): void {
  if (ctx.res.headersSent) {
    ctx.res.destroy();
    return;
  }
  send(ctx, err.status, { 'Content-Type': 'application/json; charset=utf-8', ...err.headers }, err.body());
}

/** Read a small body fully, refusing more than `limit` bytes with 413. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    req.resume();
    throw regError('SIZE_INVALID', { limit }, { status: 413, message: 'payload too large' });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw regError('SIZE_INVALID', { limit }, { status: 413, message: 'payload too large' });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Content-Length as a number, or undefined when absent (chunked). */
export function contentLength(req: IncomingMessage): number | undefined {
  const v = req.headers['content-length'];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw regError('SIZE_INVALID', { contentLength: v });
  return n;
}

export type Handler = (ctx: RequestContext) => Promise<void>;

export interface Route {
  method: string | string[];
  pattern: RegExp;
  /** Names for the pattern's capture groups, in order. */
  keys: string[];
  handler: Handler;
}

export function route(method: string | string[], pattern: RegExp, keys: string[], handler: Handler): Route {
  return { method, pattern, keys, handler };
}

/** Find the route for a path; `methodMismatch` tells 405 from 404. */
export function match(routes: Route[], method: string, path: string): { route?: Route; params: Record<string, string>; methodMismatch: boolean } {
  let methodMismatch = false;
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    if (!methods.includes(method)) {
      methodMismatch = true;
      continue;
    }
    const params: Record<string, string> = {};
    r.keys.forEach((k, i) => {
      params[k] = decodeURIComponent(m[i + 1] ?? '');
    });
    return { route: r, params, methodMismatch };
  }
  return { params: {}, methodMismatch };
}

export const unsupported = () => regError('UNSUPPORTED', undefined, { status: 405 });
export { RegistryError };
