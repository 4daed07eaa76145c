/**
 * Credentials in Docker's client config (`~/.docker/config.json`), so docker and wharf share
 * logins: `auths` entries with base64 `user:password` (and `identitytoken`), plus `credsStore`
 * and `credHelpers` naming `docker-credential-NAME` programs spoken to over stdin/stdout
 * (`get`, `store`, `erase`). Unknown keys are kept; writes are atomic with mode 0600.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readlink, realpath, rename, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { outputPathProblem } from '../../core/output-file.js';
import { WharfError } from '../../core/errors.js';
import { dockerConfigDir } from '../../core/paths.js';
import { DEFAULT_DOMAIN } from '../../core/reference.js';
import { DOCKER_HUB_INDEX } from './config.js';

export interface AuthConfig {
  username?: string;
  password?: string;
  /** OAuth refresh token (Docker's `identitytoken`). */
  identityToken?: string;
}

interface AuthEntry {
  auth?: string;
  identitytoken?: string;
  [key: string]: unknown;
}

interface ConfigFile {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

/** The config.json key for a registry: Docker Hub's index URL, else `host[:port]`. */
export function credentialKey(registry: string): string {
  const host = hostOfKey(registry);
  if (host === DEFAULT_DOMAIN || host === 'index.docker.io' || host === 'registry-1.docker.io') return DOCKER_HUB_INDEX;
  return host;
}

/** Docker's ConvertToHostname: drop the scheme and any path. */
export function hostOfKey(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').split('/')[0]!;
}

export class CredentialStore {
  readonly dir: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(opts: { dir?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.env = opts.env ?? process.env;
    this.dir = opts.dir ?? dockerConfigDir(this.env);
  }

  get path(): string {
    return join(this.dir, 'config.json');
  }

  async read(): Promise<ConfigFile> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    if (!text.trim()) return {};
    try {
      return JSON.parse(text) as ConfigFile;
    } catch (err) {
      throw new WharfError('CORRUPT', `loading config file ${this.path}: ${(err as Error).message}`);
    }
  }

  /**
   * Docker's rule: a config.json that is a symlink (a dotfiles checkout) stays one, the file it
   * names is replaced. Only a regular file is ever renamed over. Unlike Docker, which keeps the
   * old file's mode, the file is always 0600: it holds passwords.
   */
  private async target(): Promise<string> {
    let path = this.path;
    try {
      path = await realpath(this.path);
    } catch {
      const link = await readlink(this.path).catch(() => undefined);
      if (link !== undefined) path = resolve(dirname(this.path), link);
    }
    const problem = outputPathProblem(path);
    if (problem) throw new WharfError('INVALID_ARGUMENT', `saving config file ${path}: ${problem}`);
    return path;
  }

  private async write(config: ConfigFile): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const target = await this.target();
    const tmp = join(dirname(target), `.config.json.${randomBytes(6).toString('hex')}`);
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(JSON.stringify(config, null, '\t'));
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, target);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    }
  }

  /** The helper name serving this key, if any (`credHelpers` wins over `credsStore`). */
  helperFor(config: ConfigFile, key: string): string | undefined {
    return config.credHelpers?.[hostOfKey(key)] ?? config.credHelpers?.[key] ?? (config.credsStore || undefined);
  }

  async get(registry: string): Promise<AuthConfig | undefined> {
    const key = credentialKey(registry);
    const config = await this.read();
    const helper = this.helperFor(config, key);
    if (helper) return this.helperGet(helper, key);
    const entry = findEntry(config.auths ?? {}, key);
    if (!entry) return undefined;
    const out: AuthConfig = {};
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i < 0) throw new WharfError('CORRUPT', `invalid auth configuration file ${this.path}`);
      out.username = decoded.slice(0, i);
      out.password = decoded.slice(i + 1);
    }
    if (entry.identitytoken) out.identityToken = entry.identitytoken;
    return out.username || out.identityToken ? out : undefined;
  }

  async store(registry: string, auth: AuthConfig): Promise<void> {
    const key = credentialKey(registry);
    const config = await this.read();
    const helper = this.helperFor(config, key);
    config.auths ??= {};
    const previous = config.auths[key] ?? {};
    const entry: AuthEntry = { ...previous };
    delete entry.auth;
    delete entry.identitytoken;
    if (helper) {
      await this.runHelper(helper, 'store', JSON.stringify({
        ServerURL: key,
        Username: auth.identityToken ? '<token>' : auth.username ?? '',
        Secret: auth.identityToken ?? auth.password ?? '',
      }));
    } else {
      if (auth.username !== undefined || auth.password !== undefined) {
        entry.auth = Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`).toString('base64');
      }
      if (auth.identityToken) entry.identitytoken = auth.identityToken;
    }
    config.auths[key] = entry;
    await this.write(config);
  }

  /** Remove stored credentials; true when something was removed. */
  async erase(registry: string): Promise<boolean> {
    const key = credentialKey(registry);
    const config = await this.read();
    const helper = this.helperFor(config, key);
    let removed = false;
    if (helper) {
      try {
        await this.runHelper(helper, 'erase', key);
        removed = true;
      } catch (err) {
        if (!/credentials not found/i.test((err as Error).message)) throw err;
      }
    }
    const auths = config.auths ?? {};
    for (const k of Object.keys(auths)) {
      if (k === key || (key !== DOCKER_HUB_INDEX && hostOfKey(k) === key)) {
        delete auths[k];
        removed = true;
      }
    }
    if (config.auths) await this.write(config);
    return removed;
  }

  private async helperGet(helper: string, key: string): Promise<AuthConfig | undefined> {
    let out: string;
    try {
      out = await this.runHelper(helper, 'get', key);
    } catch (err) {
      if (/credentials not found/i.test((err as Error).message)) return undefined;
      throw err;
    }
    const parsed = JSON.parse(out) as { Username?: string; Secret?: string };
    if (parsed.Username === '<token>') return { identityToken: parsed.Secret };
    if (!parsed.Username && !parsed.Secret) return undefined;
    return { username: parsed.Username, password: parsed.Secret };
  }

  /** Run `docker-credential-NAME ACTION` with `input` on stdin; resolves with stdout. */
  runHelper(helper: string, action: 'get' | 'store' | 'erase', input: string): Promise<string> {
    const program = `docker-credential-${helper}`;
    return new Promise((resolve, reject) => {
      const child = spawn(program, [action], { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      child.on('error', (e) => {
        const msg = (e as NodeJS.ErrnoException).code === 'ENOENT'
          ? `exec: "${program}": executable file not found in $PATH`
          : e.message;
        reject(new WharfError('UNAVAILABLE', `error getting credentials - err: ${msg}, out: \`\``));
      });
      child.on('close', (code) => {
        const stdout = Buffer.concat(out).toString('utf8').trim();
        if (code === 0) return resolve(stdout);
        const text = stdout || Buffer.concat(err).toString('utf8').trim();
        reject(new WharfError('UNAVAILABLE', text || `${program} ${action} exited with status ${code}`));
      });
      child.stdin.on('error', () => {});
      child.stdin.end(input);
    });
  }
}

function findEntry(auths: Record<string, AuthEntry>, key: string): AuthEntry | undefined {
  if (auths[key]) return auths[key];
  if (key === DOCKER_HUB_INDEX) return undefined;
  for (const [k, v] of Object.entries(auths)) if (hostOfKey(k) === key) return v;
  return undefined;
}
