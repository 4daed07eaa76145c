/**
 * Runs one container from start to final exit: the body of the per-container monitor (or of
 * the CLI itself for a plain foreground `run`). It serves the control socket, starts runc,
 * records state and times, writes json-file logs, runs health checks, applies the restart
 * policy, stops with the stop signal then SIGKILL, and cleans up when the container is done.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { errorLine, WharfError } from '../../core/errors.js';
import type { ContainerStore } from '../store.js';
import type { ContainerStores } from '../stores.js';
import type { ContainerRecord, ContainerState } from '../types.js';
import { controlAddress, encodeFrame, Frame, FrameDecoder, type ControlEvent } from './control.js';
import { HealthChecker, hasHealthcheck } from './health.js';
import { JsonLogWriter } from './logs.js';
import { releaseContainerNetns } from './netplug.js';
import { cleanupStart, prepareStart } from './prepare.js';
import { spawnContainer, type ContainerProcess } from './proc.js';
import { normalizeSignal, runtimeFreeze, runtimeKill } from './runc.js';
import { removeContainerFiles } from './remove.js';
import { mark } from '../../core/timing.js';

export interface LocalIO {
  stdin?: Readable;
  stdout: Writable;
  stderr: Writable;
}

export interface RunnerOptions {
  local?: LocalIO;
  size?: { cols: number; rows: number };
  /**
   * Serve the control socket from the moment the runtime is spawned rather than before:
   * the socket's set-up then overlaps the runtime's own start (a foreground `run`).
   */
  listenOnSpawn?: boolean;
}

const now = () => new Date().toISOString();

export class Runner {
  private readonly store: ContainerStore;
  private rec: ContainerRecord;
  private server?: Server;
  private readonly clients = new Set<Socket>();
  /** Counts resizes, so a delayed one never undoes a newer size. */
  private resizes = 0;
  private proc?: ContainerProcess;
  private health?: HealthChecker;
  private logs?: JsonLogWriter;
  private manualStop = false;
  private restartTimer?: { timer: NodeJS.Timeout; resolve: () => void };
  private running = false;
  private readonly exitListeners: ((code: number) => void)[] = [];

  readonly root: string;

  constructor(
    private readonly stores: ContainerStores,
    readonly id: string,
    private readonly opts: RunnerOptions = {},
  ) {
    this.store = stores.containers;
    this.root = this.store.root;
    const rec = this.store.record(id);
    if (!rec) throw new WharfError('NOT_FOUND', `No such container: ${id}`);
    this.rec = rec;
  }

  get runtime(): string {
    return this.rec.HostConfig.Runtime || 'runc';
  }

  /** Serve the control socket; `onAttach` fires for the first attach request. */
  listen(onAttach?: () => void): Promise<void> {
    this.server = createServer((sock) => this.serve(sock, onAttach));
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(controlAddress(this.id), () => resolve());
    });
  }

  private serve(sock: Socket, onAttach?: () => void): void {
    sock.on('error', () => undefined);
    sock.on('close', () => this.clients.delete(sock));
    const dec = new FrameDecoder((type, body) => {
      if (type === Frame.Stdin) this.proc?.writeStdin(body);
      else if (type === Frame.StdinEof) {
        if (this.rec.Config.StdinOnce) this.proc?.endStdin();
      } else if (type === Frame.Request) void this.handle(sock, JSON.parse(body.toString()) as Record<string, unknown>, onAttach);
    });
    sock.on('data', (c: Buffer) => dec.push(c));
  }

  private reply(sock: Socket, ev: ControlEvent): void {
    if (!sock.destroyed) sock.write(encodeFrame(Frame.Event, ev));
  }

  private async handle(sock: Socket, req: Record<string, unknown>, onAttach?: () => void): Promise<void> {
    try {
      if (req.op === 'attach') {
        this.clients.add(sock);
        if (req.cols && req.rows) {
          // As docker's CLI on attach: one size larger first, so the kernel signals SIGWINCH even
          // when the size is unchanged, and the shell redraws its prompt for the new client.
          // The real size follows a moment later: a shell that reads the size once for both
          // signals would see no change (busybox's line editor redraws only on a new width).
          const generation = ++this.resizes;
          this.proc?.resize(Number(req.cols) + 1, Number(req.rows) + 1);
          setTimeout(() => {
            if (generation === this.resizes) this.proc?.resize(Number(req.cols), Number(req.rows));
          }, 50).unref();
        }
        onAttach?.();
      } else if (req.op === 'resize') {
        this.resizes++;
        this.proc?.resize(Number(req.cols), Number(req.rows));
      } else if (req.op === 'stop') {
        const code = await this.stop(req.signal as string | undefined, req.timeout as number | undefined);
        this.reply(sock, { event: 'stopped', exitCode: code });
      } else if (req.op === 'kill') {
        await this.kill(String(req.signal ?? 'SIGKILL'));
        this.reply(sock, { event: 'ok' });
      } else if (req.op === 'wait') {
        const code = await new Promise<number>((r) => this.exitListeners.push(r));
        this.reply(sock, { event: 'exit', exitCode: code });
      }
    } catch (err) {
      this.reply(sock, { event: 'error', message: errorLine(err) });
    }
  }

  /** Send an event to every attached client. */
  notify(ev: ControlEvent): void {
    this.broadcast(Frame.Event, ev);
  }

  private broadcast(type: Frame, payload: Buffer | object): void {
    if (!this.clients.size) return;
    const frame = encodeFrame(type, payload);
    for (const c of this.clients) if (!c.destroyed) c.write(frame);
  }

  private output(stream: 'stdout' | 'stderr', data: Buffer): void {
    this.logs?.write(stream, data);
    const local = this.opts.local;
    if (local) (stream === 'stdout' ? local.stdout : local.stderr).write(data);
    this.broadcast(stream === 'stdout' ? Frame.Stdout : Frame.Stderr, data);
  }

  private setState(fn: (s: ContainerState) => void): void {
    this.store.updateState(this.id, fn);
  }

  /** Prepare and start once; throws (after cleaning up) when the container cannot start. */
  async start(first = true): Promise<void> {
    this.rec = this.store.record(this.id) ?? this.rec;
    let prepared;
    try {
      prepared = await prepareStart(this.root, this.rec, { previousIp: () => this.store.rawState(this.id).Network?.ipAddress });
      this.logs ??= new JsonLogWriter(join(this.store.dir(this.id), `${this.id}-json.log`), this.rec.HostConfig.LogConfig?.Config);
      const stdin = this.opts.local?.stdin;
      this.proc = await spawnContainer({
        runtime: this.runtime,
        id: this.id,
        bundle: this.store.dir(this.id),
        tty: !!this.rec.Config.Tty,
        openStdin: !!this.rec.Config.OpenStdin,
        size: this.opts.size,
        unmountOnExit: prepared.mountPoint,
        onOutput: (s, d) => this.output(s, d),
      });
      mark('runtime: spawned');
      if (this.opts.listenOnSpawn && !this.server) await this.listen();
      const pid = await this.proc.started;
      mark('runtime: container running');
      // Its ip(8) run overlaps the state write below (and a short container's exit).
      const netnsReleased = releaseContainerNetns(this.root, this.rec).catch(() => undefined);
      if (stdin && this.rec.Config.OpenStdin) {
        const proc = this.proc;
        stdin.on('data', (d: Buffer) => proc.writeStdin(d));
        stdin.on('end', () => proc.endStdin());
      }
      this.running = true;
      this.setState((s) => {
        Object.assign(s, { Status: 'running', Running: true, Restarting: false, Paused: false, Dead: false, OOMKilled: false });
        Object.assign(s, { Pid: pid, ExitCode: 0, Error: '', StartedAt: now(), MonitorPid: process.pid, ManuallyStopped: false, MonitorLost: undefined });
        s.Network = prepared!.network;
        if (first) s.RestartCount = s.RestartCount ?? 0;
        s.Health = undefined;
      });
      mark('state: running recorded');
      await netnsReleased;
    } catch (err) {
      const code = err instanceof WharfError ? err.exitCode : 125;
      await this.proc?.exited.catch(() => undefined);
      await cleanupStart(this.root, this.rec);
      this.setState((s) => {
        Object.assign(s, { Running: false, Restarting: false, Pid: 0, ExitCode: code === 125 ? 128 : code, Error: errorLine(err) });
        if (s.Status !== 'exited') s.Status = first ? 'created' : 'exited';
        s.MonitorPid = undefined;
      });
      throw err;
    }
    const hc = this.rec.Config.Healthcheck;
    if (hasHealthcheck(hc)) {
      this.health = new HealthChecker(hc, this.runtime, this.id, (h) => this.setState((s) => void (s.Health = { ...h })));
      this.setState((s) => void (s.Health = { ...this.health!.state }));
      this.health.start();
    }
  }

  /** Wait for exits and restart per policy; returns the final exit code after cleanup. */
  async supervise(): Promise<number> {
    let delay = 100;
    for (;;) {
      const startedAt = Date.now();
      const code = await this.proc!.exited;
      mark('runtime: exited');
      this.running = false;
      this.health?.stop();
      this.health = undefined;
      const restart = this.shouldRestart(code);
      this.setState((s) => {
        Object.assign(s, { Status: 'exited', Running: false, Paused: false, Pid: 0, ExitCode: code, FinishedAt: now(), ManuallyStopped: this.manualStop });
        if (s.Health) s.Health.Status = 'unhealthy';
        if (restart) Object.assign(s, { Status: 'restarting', Restarting: true, Running: true });
      });
      if (!restart) return this.finish(code);
      await cleanupStart(this.root, this.rec);
      if (Date.now() - startedAt > 10000) delay = 100;
      await new Promise<void>((resolve) => {
        this.restartTimer = { timer: setTimeout(resolve, delay), resolve };
      });
      this.restartTimer = undefined;
      delay = Math.min(delay * 2, 60000);
      if (this.manualStop) {
        this.setState((s) => Object.assign(s, { Status: 'exited', Running: false, Restarting: false }));
        return this.finish(code);
      }
      this.setState((s) => void (s.RestartCount = (s.RestartCount ?? 0) + 1));
      try {
        await this.start(false);
      } catch {
        return this.finish(this.store.state(this.id).ExitCode);
      }
    }
  }

  private shouldRestart(code: number): boolean {
    if (this.manualStop) return false;
    const p = this.rec.HostConfig.RestartPolicy;
    if (p.Name === 'always' || p.Name === 'unless-stopped') return true;
    if (p.Name === 'on-failure') {
      const count = this.store.state(this.id).RestartCount ?? 0;
      return code !== 0 && (p.MaximumRetryCount <= 0 || count < p.MaximumRetryCount);
    }
    return false;
  }

  private async finish(code: number): Promise<number> {
    this.logs?.close();
    this.logs = undefined;
    // Removal undoes the start itself, alongside deleting the files.
    if (!this.rec.HostConfig.AutoRemove) await cleanupStart(this.root, this.rec);
    mark('finish: runtime and network cleaned up');
    this.setState((s) => void (s.MonitorPid = undefined));
    for (const l of this.exitListeners.splice(0)) l(code);
    this.broadcast(Frame.Event, { event: 'exit', exitCode: code });
    if (this.rec.HostConfig.AutoRemove) await removeContainerFiles(this.stores, this.rec, { volumes: true });
    mark('finish: removed');
    for (const c of this.clients) c.end();
    this.server?.close();
    return code;
  }

  /** After a failed first start: tell clients, drop the socket (state was already recorded). */
  async finishFailed(): Promise<void> {
    this.logs?.close();
    this.logs = undefined;
    for (const c of this.clients) c.end();
    this.server?.close();
    if (this.rec.HostConfig.AutoRemove) await removeContainerFiles(this.stores, this.rec, { volumes: true });
  }

  async kill(signal: string): Promise<void> {
    this.manualStop = true;
    if (this.restartTimer) {
      clearTimeout(this.restartTimer.timer);
      this.restartTimer.resolve();
      return;
    }
    if (!this.running) throw new WharfError('CONFLICT', `Container ${this.id} is not running`);
    await this.signal(normalizeSignal(signal));
  }

  /**
   * A paused container's processes are frozen: a signal stays pending until they thaw. So
   * SIGKILL thaws them (as docker does), and other signals wait for an unpause.
   */
  private async signal(sig: string): Promise<void> {
    await runtimeKill(this.runtime, this.id, sig);
    if ((sig === 'SIGKILL' || sig === '9') && this.store.state(this.id).Paused) {
      await runtimeFreeze(this.runtime, this.id, 'resume').catch(() => undefined);
    }
  }

  /** Stop signal, then SIGKILL after the timeout (seconds; -1 waits forever). */
  async stop(signal?: string, timeout?: number): Promise<number> {
    const proc = this.proc;
    this.manualStop = true;
    if (this.restartTimer) {
      clearTimeout(this.restartTimer.timer);
      this.restartTimer.resolve();
    }
    if (!proc || !this.running) return this.store.state(this.id).ExitCode;
    const sig = normalizeSignal(signal || this.rec.Config.StopSignal, 'SIGTERM');
    const t = timeout ?? this.rec.Config.StopTimeout ?? 10;
    const finished = new Promise<number>((r) => this.exitListeners.push(r));
    await this.signal(sig);
    const timer = t >= 0 ? setTimeout(() => void this.signal('SIGKILL'), t * 1000) : undefined;
    const code = await finished;
    if (timer) clearTimeout(timer);
    return code;
  }
}
