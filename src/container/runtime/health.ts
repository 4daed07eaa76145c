/**
 * Health checks run inside the container with `runc exec` every Interval. Docker's rules:
 * `starting` until the first result, `healthy` on success (streak reset), `unhealthy` once
 * FailingStreak reaches Retries; failures during StartPeriod do not count; the last 5 results kept.
 */
import { spawn } from 'node:child_process';
import type { ContainerConfig } from '../../image/types.js';
import type { HealthState } from '../types.js';
import { runtimeArgs } from './runc.js';
import { childEnv } from './helper-process.js';

type Healthcheck = NonNullable<ContainerConfig['Healthcheck']>;

const NS = 1e6; // nanoseconds per millisecond
const MAX_OUTPUT = 4096;

export function hasHealthcheck(hc: Healthcheck | undefined): hc is Healthcheck {
  return !!hc?.Test?.length && hc.Test[0] !== 'NONE';
}

function probeArgs(test: string[]): string[] {
  if (test[0] === 'CMD-SHELL') return ['/bin/sh', '-c', test.slice(1).join(' ')];
  if (test[0] === 'CMD') return test.slice(1);
  return test;
}

export class HealthChecker {
  private timer?: NodeJS.Timeout;
  private readonly startedAt = Date.now();
  readonly state: HealthState = { Status: 'starting', FailingStreak: 0, Log: [] };
  private stopped = false;

  constructor(
    private readonly hc: Healthcheck,
    private readonly runtime: string,
    private readonly id: string,
    private readonly onUpdate: (s: HealthState) => void,
  ) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    const interval = (this.hc.Interval || 30000 * NS) / NS;
    this.timer = setTimeout(() => void this.probe().then(() => this.schedule()), interval);
  }

  private probe(): Promise<void> {
    const timeout = (this.hc.Timeout || 30000 * NS) / NS;
    const start = new Date();
    return new Promise((resolve) => {
      const p = spawn(this.runtime, [...runtimeArgs(this.runtime), 'exec', this.id, ...probeArgs(this.hc.Test ?? [])], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
      let out = '';
      const take = (d: Buffer) => {
        if (out.length < MAX_OUTPUT) out = (out + d.toString()).slice(0, MAX_OUTPUT);
      };
      p.stdout.on('data', take);
      p.stderr.on('data', take);
      let timedOut = false;
      const t = setTimeout(() => {
        timedOut = true;
        p.kill('SIGKILL');
      }, timeout);
      p.on('close', (code) => {
        clearTimeout(t);
        if (this.stopped) return resolve();
        const exitCode = timedOut ? -1 : (code ?? -1);
        if (timedOut) out = `Health check exceeded timeout (${timeout / 1000}s)`;
        this.record({ Start: start.toISOString(), End: new Date().toISOString(), ExitCode: exitCode, Output: out }, exitCode === 0);
        resolve();
      });
    });
  }

  private record(entry: HealthState['Log'][number], ok: boolean): void {
    const s = this.state;
    s.Log = [...s.Log, entry].slice(-5);
    const inStartPeriod = Date.now() - this.startedAt < (this.hc.StartPeriod ?? 0) / NS;
    if (ok) {
      s.Status = 'healthy';
      s.FailingStreak = 0;
    } else if (!inStartPeriod || s.Status !== 'starting') {
      s.FailingStreak++;
      if (s.FailingStreak >= (this.hc.Retries || 3)) s.Status = 'unhealthy';
    }
    this.onUpdate(s);
  }
}
