/**
 * The build context: a directory the steps read from, and the .dockerignore matcher that
 * hides files from them. A local directory is read in place (nothing is copied or held in
 * memory); a tar on stdin (any compression) is unpacked once into a private temp dir with
 * the safe layer-apply code. `sentSize` is what docker's CLI would have sent: the bytes of
 * the context as a tar stream, for the `Sending build context` line.
 */
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { PatternMatcher, readIgnoreFile } from './dockerignore.js';

export interface BuildContext {
  dir: string;
  matcher: PatternMatcher;
  /** Context-relative path of the Dockerfile when it is inside the context. */
  dockerfileRel?: string;
  cleanup(): void;
}

/** Open a directory context; `dockerfile` is the -f path (absolute) when it is in the context. */
export function directoryContext(dir: string, dockerfileRel?: string): BuildContext {
  if (!existsSync(dir)) throw new Error(`unable to prepare context: path "${dir}" not found`);
  if (!lstatSync(dir).isDirectory()) throw new Error(`unable to prepare context: context must be a directory: ${dir}`);
  return { dir, matcher: ignoreMatcher(dir, dockerfileRel), ...(dockerfileRel ? { dockerfileRel } : {}), cleanup: () => {} };
}

/**
 * The context's .dockerignore (BuildKit's NAME.dockerignore beside a named Dockerfile wins),
 * with the Dockerfile and .dockerignore re-included as docker's CLI does.
 */
function ignoreMatcher(dir: string, dockerfileRel?: string): PatternMatcher {
  let patterns: string[] = [];
  const specific = dockerfileRel ? join(dir, `${dockerfileRel}.dockerignore`) : undefined;
  const file = specific && existsSync(specific) ? specific : join(dir, '.dockerignore');
  if (existsSync(file)) patterns = readIgnoreFile(readFileSync(file, 'utf8'));
  if (patterns.length) patterns.push('!.dockerignore', `!${dockerfileRel ?? 'Dockerfile'}`);
  return new PatternMatcher(patterns);
}

/** Unpack a context tar (plain or compressed) into a temp dir. */
export async function tarContext(input: Readable, dockerfileRel = 'Dockerfile'): Promise<BuildContext> {
  const { decompress } = await import('../archive/compression.js');
  const { applyLayer } = await import('../archive/apply.js');
  const dir = mkdtempSync(join(tmpdir(), 'wharf-build-ctx-'));
  try {
    const { stream } = await decompress(input);
    await applyLayer(stream, dir, { whiteouts: 'delete' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`unable to prepare context: ${(err as Error).message}`);
  }
  return { dir, matcher: ignoreMatcher(dir, dockerfileRel), dockerfileRel, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An empty context (a Dockerfile alone on stdin). */
export function emptyContext(): BuildContext {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-build-ctx-'));
  return { dir, matcher: new PatternMatcher([]), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Bytes of one tar header for `name` (a PAX header first when ustar cannot hold the name). */
function headerBytes(name: string, linkname = ''): number {
  const fits = (s: string, n: number) => Buffer.byteLength(s) <= n && /^[\x00-\x7f]*$/.test(s);
  let pax = 0;
  const recLen = (key: string, v: string) => {
    const body = ` ${key}=${v}\n`;
    let len = Buffer.byteLength(body) + 1;
    while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
    return len;
  };
  const slash = name.lastIndexOf('/', 155);
  const splitOk = slash > 0 && fits(name.slice(0, slash), 155) && fits(name.slice(slash + 1), 100);
  if (!fits(name, 100) && !splitOk) pax += recLen('path', name);
  if (linkname && !fits(linkname, 100)) pax += recLen('linkpath', linkname);
  return 512 + (pax ? 512 + Math.ceil(pax / 512) * 512 : 0);
}

/** Walk the context as docker's CLI tars it: every entry not excluded, sorted, no root entry. */
export function* walkContext(ctx: BuildContext): Generator<{ rel: string; abs: string; st: Stats }> {
  const stack: string[] = [''];
  while (stack.length) {
    const relDir = stack.pop() as string;
    const dirs: string[] = [];
    for (const n of readdirSync(join(ctx.dir, relDir)).sort()) {
      const rel = relDir ? `${relDir}/${n}` : n;
      const abs = join(ctx.dir, rel);
      const st = lstatSync(abs) as Stats;
      const excluded = ctx.matcher.matches(rel);
      if (excluded && !(st.isDirectory() && ctx.matcher.hasExclusions)) continue;
      if (!excluded) yield { rel, abs, st };
      if (st.isDirectory()) dirs.push(rel);
    }
    for (const d of dirs.reverse()) stack.push(d);
  }
}

/** The size of the tar docker's CLI would send for this context. */
export function sentSize(ctx: BuildContext): number {
  let n = 1024;
  for (const { rel, st, abs } of walkContext(ctx)) {
    const name = st.isDirectory() ? `${rel}/` : rel;
    if (st.isSymbolicLink()) {
      n += headerBytes(name, posix.normalize(readlinkSafe(abs)));
    } else {
      n += headerBytes(name);
      if (st.isFile()) n += Math.ceil(Number(st.size) / 512) * 512;
    }
  }
  return n;
}

function readlinkSafe(p: string): string {
  try {
    return readlinkSync(p);
  } catch {
    return '';
  }
}
