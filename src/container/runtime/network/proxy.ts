/**
 * Starting and stopping the per-container userland proxy (proxy-main). The proxy is detached
 * (own session, no stdio kept) so it outlives the CLI; the parent only reads its first line to
 * learn the bound ports or the bind error.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { WharfError } from '../../../core/errors.js';
import { childEnv, helperArgs, HELPER_NODE_FLAGS } from '../helper-process.js';
import type { ProxyPort } from './proxy-main.js';

export type { ProxyPort } from './proxy-main.js';

const MARKER = 'wharf-proxy';

/** node + arguments that run proxy-main (see helper-process.ts). */
function proxyCommand(): string[] {
  return [...HELPER_NODE_FLAGS, ...helperArgs('container/runtime/network/proxy-main', 'proxy', import.meta.url)];
}

/** Start the proxy; resolves with its pid and the host port bound for each spec, in order. */
export function startProxy(containerId: string, specs: ProxyPort[]): Promise<{ pid: number; ports: number[] }> {
  const child = spawn(process.execPath, [...proxyCommand(), MARKER, containerId, JSON.stringify(specs)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: childEnv(),
    cwd: '/',
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    const fail = (message: string) => {
      if (child.pid) stopProcess(child.pid);
      reject(new WharfError('INTERNAL', message));
    };
    const timer = setTimeout(() => fail('userland proxy did not start within 15s'), 15_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      fail(`cannot start userland proxy: ${err.message}`);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!buf.includes('\n')) fail(`userland proxy exited with status ${code}`);
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      child.stdout!.destroy();
      child.removeAllListeners('exit');
      child.unref();
      const msg = JSON.parse(buf.slice(0, nl)) as { ok: boolean; ports?: number[]; error?: string };
      if (msg.ok && child.pid) return resolve({ pid: child.pid, ports: msg.ports ?? [] });
      // A proxy that could not bind exits by itself; the failure is reported once it is gone.
      const err = new WharfError('CONFLICT', msg.error ?? 'userland proxy failed');
      if (child.exitCode !== null || child.signalCode !== null) return reject(err);
      child.ref();
      child.once('exit', () => reject(err));
      child.kill('SIGKILL');
    });
  });
}

function stopProcess(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/** Whether `pid` is the proxy of `containerId` (guards against recycled pids). */
export function isProxyOf(pid: number, containerId: string): boolean {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const at = args.indexOf(MARKER);
    return at >= 0 && args[at + 1] === containerId;
  } catch {
    return false;
  }
}

/** Kill the proxy if it is still ours, and wait until it is gone. */
export async function stopProxy(pid: number, containerId: string): Promise<void> {
  if (!isProxyOf(pid, containerId)) return;
  stopProcess(pid);
  for (let i = 0; i < 200 && isProxyOf(pid, containerId); i++) await new Promise((r) => setTimeout(r, 10));
}
