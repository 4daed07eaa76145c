/**
 * `login`, `logout` and `search`, as docker/cli has them: credentials are verified against
 * the registry, then kept in Docker's config.json (or its credential helpers); search queries
 * a registry's `/v1/search` and prints docker's NAME DESCRIPTION STARS OFFICIAL AUTOMATED table.
 */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { WharfError } from '../../core/errors.js';
import { DEFAULT_DOMAIN } from '../../core/reference.js';
import { CredentialStore, DOCKER_HUB_INDEX, RegistryClient, credentialKey, hostOfKey, type AuthConfig, type SearchResult } from '../../engine/registry.js';
import { renderRows } from '../format/template.js';
import { ellipsis } from '../output.js';

export interface LoginIO {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

const defaultIO = (): LoginIO => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env });

/** The registry a login/logout argument names: `docker.io` for Docker Hub, else `host[:port]`. */
export function registryOfServer(server?: string): string {
  if (!server) return DEFAULT_DOMAIN;
  const host = hostOfKey(server.trim());
  return ['docker.io', 'index.docker.io', 'registry-1.docker.io'].includes(host) ? DEFAULT_DOMAIN : host;
}

async function readAllText(stream: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(parts).toString('utf8');
}

function promptLine(io: LoginIO, question: string): Promise<string> {
  const rl = createInterface({ input: io.stdin, output: io.stdout, terminal: false });
  io.stdout.write(question);
  // Resolve before closing: close() emits 'close' at once, which must not answer ''.
  return new Promise((resolve) => {
    rl.once('close', () => resolve(''));
    rl.once('line', (l) => {
      resolve(l);
      rl.close();
    });
  });
}

/** Read a password without echo (raw mode), as docker's term.ReadPassword. */
function promptHidden(io: LoginIO, question: string): Promise<string> {
  io.stdout.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    io.stdin.setRawMode?.(true);
    const done = (err?: Error) => {
      io.stdin.removeListener('data', onData);
      io.stdin.setRawMode?.(false);
      io.stdin.pause();
      io.stdout.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\x03') return done(new WharfError('INVALID_ARGUMENT', 'interrupted'));
        if (ch === '\x7f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    io.stdin.on('data', onData);
    io.stdin.resume();
  });
}

export interface LoginOptions {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
}

async function verifyLogin(registry: string, credentials: AuthConfig): Promise<void> {
  const client = new RegistryClient(registry, { credentials });
  try {
    await client.login();
  } finally {
    client.close();
  }
}

export async function runLogin(server: string | undefined, opts: LoginOptions, io: LoginIO = defaultIO()): Promise<void> {
  let { username, password } = opts;
  if (password !== undefined) {
    io.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    if (opts.passwordStdin) throw new WharfError('INVALID_ARGUMENT', '--password and --password-stdin are mutually exclusive');
  }
  if (opts.passwordStdin) {
    if (!username) throw new WharfError('INVALID_ARGUMENT', 'Must provide --username with --password-stdin');
    password = (await readAllText(io.stdin)).replace(/\n$/, '').replace(/\r$/, '');
  }
  const registry = registryOfServer(server);
  const store = new CredentialStore({ env: io.env });
  const stored = await store.get(registry).catch(() => undefined);
  // docker 28: a plain `docker login` first tries what is stored, and says so.
  if (!username && password === undefined && stored?.username && (stored.password || stored.identityToken)) {
    const tty = !!(io.stderr as { isTTY?: boolean }).isTTY;
    io.stderr.write(
      `Authenticating with existing credentials... [Username: ${stored.username}]\n\n` +
        `${tty ? 'i Info \u2192' : ' Info ->'} To login with a different account, run 'docker logout' followed by 'docker login'\n\n\n`,
    );
    try {
      await verifyLogin(registry, stored);
      io.stdout.write('Login Succeeded\n');
      return;
    } catch (err) {
      io.stderr.write(`Login did not succeed, error: Error response from daemon: ${(err as Error).message}\n`);
    }
  }
  if (!username || !password) {
    if (!io.stdin.isTTY) throw new WharfError('INVALID_ARGUMENT', 'Error: Cannot perform an interactive login from a non TTY device');
    if (!username) {
      const previous = stored?.username;
      username = (await promptLine(io, previous ? `Username (${previous}): ` : 'Username: ')).trim() || previous;
      if (!username) throw new WharfError('INVALID_ARGUMENT', 'Error: Non-null Username Required');
    }
    if (!password) {
      password = await promptHidden(io, 'Password: ');
      if (!password) throw new WharfError('INVALID_ARGUMENT', 'Error: Password Required');
    }
  }
  await verifyLogin(registry, { username, password });
  // As docker's file store: unchanged credentials are not written again, nor warned about.
  if (stored?.username !== username || stored?.password !== password) {
    await store.store(registry, { username, password });
    const config = await store.read();
    if (!store.helperFor(config, credentialKey(registry))) {
      io.stderr.write(
        `\nWARNING! Your credentials are stored unencrypted in '${store.path}'.\n` +
          'Configure a credential helper to remove this warning. See\n' +
          'https://docs.docker.com/go/credential-store/\n\n',
      );
    }
  }
  io.stdout.write('Login Succeeded\n');
}

export async function runLogout(server: string | undefined, io: LoginIO = defaultIO()): Promise<void> {
  const registry = registryOfServer(server);
  const shown = registry === DEFAULT_DOMAIN ? DOCKER_HUB_INDEX : registry;
  io.stdout.write(`Removing login credentials for ${shown}\n`);
  try {
    await new CredentialStore({ env: io.env }).erase(registry);
  } catch (err) {
    io.stderr.write(`WARNING: could not erase credentials:\n${shown}: ${(err as Error).message}\n`);
  }
}

export interface SearchOptions {
  limit?: string | number;
  filter?: string[];
  noTrunc?: boolean;
  format?: string;
}

/** docker's splitReposSearchTerm: `HOST[:PORT]/term` searches that registry. */
export function splitSearchTerm(term: string): { registry: string; term: string } {
  const i = term.indexOf('/');
  const first = i < 0 ? '' : term.slice(0, i);
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    return { registry: registryOfServer(first), term: term.slice(i + 1) };
  }
  return { registry: DEFAULT_DOMAIN, term };
}

function applyFilters(results: SearchResult[], filters: string[]): SearchResult[] {
  let out = results;
  for (const f of filters) {
    const [key, value = ''] = f.split(/=(.*)/s) as [string, string?];
    const invalid = () => new WharfError('INVALID_ARGUMENT', `Invalid filter '${f}'`);
    if (key === 'stars') {
      if (!/^-?\d+$/.test(value)) throw invalid();
      out = out.filter((r) => r.star_count >= Number(value));
    } else if (key === 'is-official' || key === 'is-automated') {
      if (!['true', 'false', '1', '0'].includes(value.toLowerCase())) throw invalid();
      const want = value === 'true' || value === '1';
      out = out.filter((r) => (key === 'is-official' ? r.is_official : r.is_automated) === want);
    } else {
      throw new WharfError('INVALID_ARGUMENT', `Invalid filter '${key}'`);
    }
  }
  return out;
}

const SEARCH_TABLE = 'table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}\t{{.IsAutomated}}';

/** Search rows through docker's default table or a Go template (`table` prefix for a header). */
export function renderSearch(results: SearchResult[], opts: { noTrunc?: boolean; format?: string }): string {
  const rows = results.map((r) => {
    const desc = r.description.replace(/[\r\n]/g, ' ');
    return {
      Name: r.name,
      Description: opts.noTrunc ? desc : ellipsis(desc, 45),
      StarCount: String(r.star_count),
      IsOfficial: r.is_official ? '[OK]' : '',
      IsAutomated: r.is_automated ? '[OK]' : '',
    };
  });
  const headers: Record<string, string> = { Name: 'NAME', Description: 'DESCRIPTION', StarCount: 'STARS', IsOfficial: 'OFFICIAL', IsAutomated: 'AUTOMATED' };
  const text = renderRows(opts.format || SEARCH_TABLE, rows, headers);
  return text && !text.endsWith('\n') ? text + '\n' : text;
}

export async function runSearch(termArg: string, opts: SearchOptions, io: LoginIO = defaultIO()): Promise<void> {
  const limit = opts.limit === undefined ? 25 : Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new WharfError('INVALID_ARGUMENT', `Limit ${opts.limit} is outside the range of [1, 100]`);
  }
  const { registry, term } = splitSearchTerm(termArg);
  const client = new RegistryClient(registry, { credentials: () => new CredentialStore({ env: io.env }).get(registry) });
  let results: SearchResult[];
  try {
    results = await client.search(term, limit);
  } finally {
    client.close();
  }
  results = applyFilters(results, opts.filter ?? []).sort((a, b) => b.star_count - a.star_count);
  io.stdout.write(renderSearch(results, opts));
}

export function registerLoginCommands(program: Command, io?: LoginIO): void {
  program
    .command('login')
    .description('Log in to a registry')
    .argument('[server]')
    .option('-u, --username <username>', 'Username')
    .option('-p, --password <password>', 'Password')
    .option('--password-stdin', 'Take the password from stdin')
    .action((server: string | undefined, opts: LoginOptions) => runLogin(server, opts, io ?? defaultIO()));
  program
    .command('logout')
    .description('Log out from a registry')
    .argument('[server]')
    .action((server: string | undefined) => runLogout(server, io ?? defaultIO()));
  program
    .command('search')
    .description('Search Docker Hub for images')
    .argument('<term>')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', (v: string, prev: string[] = []) => [...prev, v])
    .option('--format <string>', 'Pretty-print search using a Go template')
    .option('--limit <int>', 'Max number of search results')
    .option('--no-trunc', "Don't truncate output")
    .action((term: string, opts: SearchOptions & { trunc?: boolean }) =>
      runSearch(term, { ...opts, noTrunc: opts.trunc === false }, io ?? defaultIO()));
}
