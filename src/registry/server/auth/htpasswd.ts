/**
 * htpasswd files with bcrypt hashes (`htpasswd -B`), the format nginx and the distribution
 * registry accept. bcrypt is slow by design, so verified credentials are remembered briefly
 * (keyed by a hash of user and password) to keep a layer-heavy push from paying it per request.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import bcrypt from 'bcryptjs';

const CACHE_MS = 5 * 60 * 1000;

export class Htpasswd {
  private users = new Map<string, string>();
  private mtimeMs = 0;
  private readonly verified = new Map<string, number>();

  constructor(private readonly file: string) {
    this.reload();
  }

  /** Re-read the file when it changed, so adding a user needs no restart. */
  private reload(): void {
    const st = statSync(this.file);
    if (st.mtimeMs === this.mtimeMs) return;
    this.mtimeMs = st.mtimeMs;
    const users = new Map<string, string>();
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      const trimmed = line.trim();
      if (!trimmed || trimmed.startsWith('#')) continue;
      const i = trimmed.indexOf(':');
      if (i <= 0) continue;
      users.set(trimmed.slice(0, i), trimmed.slice(i + 1));
    }
    this.users = users;
    this.verified.clear();
  }

  async check(user: string, password: string): Promise<boolean> {
    try {
      this.reload();
    } catch {
      return false;
    }
    const hash = this.users.get(user);
    if (!hash || !/^\$2[aby]\$/.test(hash)) return false;
    const key = createHash('sha256').update(`${user}\0${password}\0${hash}`).digest('hex');
    const until = this.verified.get(key);
    if (until && until > Date.now()) return true;
    const ok = await bcrypt.compare(password, hash.replace(/^\$2y\$/, '$2b$'));
    if (ok) this.verified.set(key, Date.now() + CACHE_MS);
    return ok;
  }
}

export function hashPassword(password: string, rounds = 10): string {
  return bcrypt.hashSync(password, rounds);
}
