/** mount(8)/umount(8) wrappers (Node has no mount(2)) and /proc/self/mountinfo queries. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { WharfError } from '../core/errors.js';

/** mount, umount and mv need nothing from the caller's environment but PATH. */
const SMALL_ENV = { PATH: process.env.PATH || '/usr/sbin:/usr/bin:/sbin:/bin' };

export function run(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: opts.cwd, maxBuffer: 64 << 20, env: SMALL_ENV }, (err, stdout, stderr) => {
      if (err) {
        const msg = String(stderr || err.message).trim();
        reject(new WharfError('INTERNAL', `${cmd} ${args.join(' ')}: ${msg}`, { cause: err }));
      } else resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Mount points currently in this mount namespace (octal escapes decoded). */
export function mountPoints(): Set<string> {
  const out = new Set<string>();
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const f = line.split(' ');
    if (f[4]) out.add(f[4].replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
  }
  return out;
}

export function isMounted(path: string): boolean {
  return mountPoints().has(path);
}

/** Unmount if mounted; lazy detach as a last resort so a busy mount never blocks removal. */
export async function unmountIfMounted(path: string): Promise<void> {
  while (isMounted(path)) {
    try {
      await run('umount', [path]);
    } catch {
      await run('umount', ['-l', path]);
    }
  }
}
