/**
 * Remote contexts as docker's CLI resolves them: a git repository (`https://…/repo.git`,
 * `git://…`, `git@…`, `file://…/repo.git`, with `#ref:subdir`), cloned with its submodules
 * into a private temp dir; or any other URL, downloaded: a tar (any compression) is the
 * context, a plain text file is a Dockerfile with an empty context.
 */
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function isGitUrl(s: string): boolean {
  return /^git@|^git:\/\//.test(s) || (/^(https?|file|ssh):\/\//.test(s) && /\.git(#|$)/.test(s)) || /^github\.com\//.test(s);
}

export const isUrl = (s: string) => /^https?:\/\//.test(s);

export interface ClonedContext {
  dir: string;
  cleanup: () => void;
}

export async function cloneGitContext(url: string): Promise<ClonedContext> {
  const [repo0, fragment = ''] = url.split('#', 2);
  const repo = repo0.startsWith('github.com/') ? `https://${repo0}` : repo0;
  const [ref, subdir = ''] = fragment.split(':', 2);
  const tmp = mkdtempSync(join(tmpdir(), 'wharf-build-git-'));
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  const git = (args: string[], cwd = tmp) => run('git', ['-c', 'protocol.file.allow=always', ...args], { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  try {
    await git(['init', '-q', tmp]);
    await git(['remote', 'add', 'origin', repo]);
    const sha = /^[0-9a-f]{7,40}$/.test(ref);
    // A commit is fetched with the whole history (servers need not serve a bare SHA), a
    // branch or tag on its own.
    if (sha) await git(['fetch', '-q', '--recurse-submodules=no', 'origin']);
    else await git(['fetch', '-q', '--depth', '1', '--recurse-submodules=no', 'origin', ref || 'HEAD']);
    await git(['checkout', '-q', sha ? ref : 'FETCH_HEAD']);
    await git(['submodule', 'update', '-q', '--init', '--recursive', '--depth', '1']);
    rmSync(join(tmp, '.git'), { recursive: true, force: true });
  } catch (err) {
    cleanup();
    const e = err as { stderr?: string; message: string };
    throw new Error(`unable to prepare context: unable to 'git clone' to temporary context directory: error fetching: ${(e.stderr || e.message).trim()}`);
  }
  const dir = join(tmp, subdir);
  if (!existsSync(dir) || !lstatSync(dir).isDirectory()) {
    cleanup();
    throw new Error(`unable to prepare context: error path "${subdir}" not found in the repository`);
  }
  return { dir, cleanup };
}

export async function downloadContext(url: string): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow' });
  } catch (err) {
    throw new Error(`unable to prepare context: unable to download remote context ${url}: Get "${url}": ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
  }
  if (!res.ok) throw new Error(`unable to prepare context: unable to download remote context ${url}: failed to GET ${url} with status ${res.status} ${res.statusText}`);
  return Buffer.from(await res.arrayBuffer());
}
