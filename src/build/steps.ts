/**
 * Each instruction's effect on the stage, with dockerd's semantics, history strings and error
 * texts: metadata steps commit an empty layer under a `#(nop)` comment, WORKDIR makes its
 * directory, RUN runs (run.ts), COPY/ADD place files (copy.ts and add.ts). Every step first
 * asks the cache (the parent image's children) unless `--no-cache`.
 */
import type { Instruction, Stage } from './dockerfile/instructions.js';
import { parse } from './dockerfile/parser.js';
import { toInstruction } from './dockerfile/instructions.js';
import { allowedArgs, BUILTIN_ARGS, type StageArgs } from './args.js';
import { adoptImage, commitStep, probeCache, probeCacheFrom, type StageState } from './commit.js';
import { ingestStepLayer, stepContainerId } from './reproducible.js';
import { BuildError, short, type BuildRun } from './executor.js';
import { goDuration, goQuote, goQuoteSlice, goRune, goSlice } from './goformat.js';
import type { ContainerConfig } from '../image/types.js';
import { copyStep, workdirLayer } from './copy-step.js';
import { runStep } from './run.js';
import { parseMount, prepareMounts, withoutMountPoints } from './mounts.js';
import { imageView } from './copy-step.js';

const lexWord = (env: StepEnv, s: string) => env.run.lexer.word(s, env.expandEnv());

export interface StepEnv {
  run: BuildRun;
  stage: Stage;
  state: StageState;
  stageArgs: StageArgs;
  expandEnv: () => Map<string, string>;
}

const DEFAULT_SHELL = ['/bin/sh', '-c'];
export const shellOf = (rc: ContainerConfig) => (rc.Shell?.length ? rc.Shell : DEFAULT_SHELL);

export function createdTime(run: BuildRun): string {
  const e = run.opts.sourceDateEpoch;
  return e !== undefined ? new Date(e * 1000).toISOString().replace('.000Z', 'Z') : new Date().toISOString();
}

/** Reuse a cached image for this step if there is one; returns whether it did. */
export function tryCache(env: StepEnv, probe: ContainerConfig): boolean {
  if (env.run.opts.noCache) return false;
  const images = env.run.backend.images;
  const hit = probeCache(images, env.state.imageId, probe) ?? (env.run.cacheFrom.length ? probeCacheFrom(images, env.state.imageId, probe, env.run.cacheFrom) : undefined);
  if (!hit) return false;
  env.run.out(' ---> Using cache\n');
  adoptImage(env.run.backend.images, env.state, hit);
  return true;
}

function removeNote(env: StepEnv, cid: string): void {
  if (env.run.opts.rm !== false || env.run.opts.forceRm) env.run.out(`Removing intermediate container ${cid.slice(0, 12)}\n`);
}

/** A metadata step: `#(nop)  COMMENT` under the current shell, no layer. */
async function commitMeta(env: StepEnv, comment: string): Promise<void> {
  const st = env.state;
  const probe = { ...st.runConfig, Cmd: [...shellOf(st.runConfig), '#(nop) ', comment] };
  if (tryCache(env, probe)) return;
  const cid = stepContainerId(env.run, st.imageId, probe.Cmd);
  env.run.out(` ---> Running in ${cid.slice(0, 12)}\n`);
  commitStep(env.run.backend.images, { state: st, containerConfig: probe, containerId: cid, created: createdTime(env.run) });
  removeNote(env, cid);
}

function setEnv(rc: ContainerConfig, key: string, value: string): void {
  const env = rc.Env ?? [];
  const i = env.findIndex((e) => e.split('=', 1)[0] === key);
  if (i >= 0) env[i] = `${key}=${value}`;
  else env.push(`${key}=${value}`);
  rc.Env = env;
}

const SIGNALS = ['HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'IOT', 'BUS', 'FPE', 'KILL', 'USR1', 'SEGV', 'USR2', 'PIPE', 'ALRM', 'TERM', 'STKFLT', 'CHLD', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'XCPU', 'XFSZ', 'VTALRM', 'PROF', 'WINCH', 'IO', 'POLL', 'PWR', 'SYS'];

function validSignal(s: string): boolean {
  if (/^\d+$/.test(s)) return Number(s) > 0 && Number(s) <= 64;
  const n = s.toUpperCase().replace(/^SIG/, '');
  return SIGNALS.includes(n) || /^RTMIN(\+\d+)?$|^RTMAX(-\d+)?$/.test(n);
}

function exposedPorts(ports: string[]): string[] {
  const out: string[] = [];
  for (const raw of ports) {
    const parts = raw.split(':');
    const last = parts[parts.length - 1];
    const [port, proto = 'tcp'] = last.split('/', 2);
    if (!port) throw new BuildError(`No port specified: ${raw}<empty>`);
    if (!['tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) throw new BuildError(`Invalid proto: ${proto}`);
    const m = /^(\d+)(?:-(\d+))?$/.exec(port);
    if (!m || Number(m[1]) > 65535 || (m[2] && Number(m[2]) > 65535)) throw new BuildError(`Invalid containerPort: ${port}`);
    const start = Number(m[1]);
    const end = m[2] ? Number(m[2]) : start;
    if (end < start) throw new BuildError(`Invalid containerPort: ${port}`);
    for (let p = start; p <= end; p++) out.push(`${p}/${proto.toLowerCase()}`);
  }
  return out;
}

function cmdLine(ins: { args: string[]; json: boolean }, rc: ContainerConfig): string[] {
  return ins.json ? [...ins.args] : [...shellOf(rc), ins.args.join(' ')];
}

export async function dispatch(env: StepEnv, ins: Instruction): Promise<void> {
  const { run, state: st } = env;
  const rc = st.runConfig;
  const lex = run.lexer;
  const word = (s: string) => lex.word(s, env.expandEnv());
  switch (ins.kind) {
    case 'env': {
      const e = env.expandEnv();
      const pairs = ins.pairs.map((p) => [lex.word(p.key, e), lex.word(p.value, e)] as const);
      for (const [k, v] of pairs) setEnv(rc, k, v);
      return commitMeta(env, `ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
    }
    case 'label': {
      const literal = (ins as { literal?: boolean }).literal;
      const e = env.expandEnv();
      const pairs = ins.pairs.map((p) => (literal ? ([p.key, p.value] as const) : ([lex.word(p.key, e), lex.word(p.value, e)] as const)));
      rc.Labels = { ...(rc.Labels ?? {}) };
      for (const [k, v] of pairs) rc.Labels[k] = v;
      return commitMeta(env, `LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
    }
    case 'maintainer':
      st.maintainer = ins.value;
      return commitMeta(env, `MAINTAINER ${ins.value}`);
    case 'expose': {
      const e = env.expandEnv();
      const ports = ins.args.flatMap((p) => lex.words(p, e));
      rc.ExposedPorts = { ...(rc.ExposedPorts ?? {}) };
      for (const p of exposedPorts(ports)) rc.ExposedPorts[p] = {};
      return commitMeta(env, `EXPOSE ${ports.join(' ')}`);
    }
    case 'volume': {
      const vols = ins.args.map(word);
      rc.Volumes = { ...(rc.Volumes ?? {}) };
      for (const v of vols) {
        if (!v) throw new BuildError('VOLUME specified can not be an empty string');
        rc.Volumes[v] = {};
      }
      return commitMeta(env, `VOLUME ${goSlice(vols)}`);
    }
    case 'user':
      rc.User = word(ins.value);
      return commitMeta(env, `USER ${rc.User}`);
    case 'stopsignal': {
      const sig = word(ins.value);
      if (!validSignal(sig)) throw new BuildError(`Invalid signal: ${sig}`);
      rc.StopSignal = sig;
      return commitMeta(env, `STOPSIGNAL ${sig}`);
    }
    case 'cmd': {
      rc.Cmd = cmdLine(ins, rc);
      if (ins.args.length) st.cmdSet = true;
      return commitMeta(env, `CMD ${goQuoteSlice(rc.Cmd)}`);
    }
    case 'entrypoint': {
      rc.Entrypoint = ins.json ? [...ins.args] : ins.args.length ? [...shellOf(rc), ins.args.join(' ')] : null;
      if (!st.cmdSet) rc.Cmd = null;
      return commitMeta(env, `ENTRYPOINT ${goQuoteSlice(rc.Entrypoint)}`);
    }
    case 'shell':
      rc.Shell = [...ins.args];
      return commitMeta(env, `SHELL ${goSlice(ins.args)}`);
    case 'onbuild':
      rc.OnBuild = [...(rc.OnBuild ?? []), ins.expression];
      return commitMeta(env, `ONBUILD ${ins.expression}`);
    case 'healthcheck': {
      const old = rc.Healthcheck?.Test;
      if (old?.length && old[0] !== 'NONE') run.out(`Note: overriding previous HEALTHCHECK: ${goSlice(old)}\n`);
      const hc: NonNullable<ContainerConfig['Healthcheck']> = { Test: ins.test ?? [] };
      if (ins.interval) hc.Interval = ins.interval;
      if (ins.timeout) hc.Timeout = ins.timeout;
      if (ins.startPeriod) hc.StartPeriod = ins.startPeriod;
      if (ins.retries) hc.Retries = ins.retries;
      rc.Healthcheck = hc;
      const desc = `&{${goQuoteSlice(hc.Test)} ${goQuote(goDuration(hc.Interval ?? 0))} ${goQuote(goDuration(hc.Timeout ?? 0))} ${goQuote(goDuration(hc.StartPeriod ?? 0))} ${goRune(hc.Retries ?? 0)}}`;
      return commitMeta(env, `HEALTHCHECK ${desc}`);
    }
    case 'arg': {
      const e = env.expandEnv();
      const parts: string[] = [];
      for (const a of ins.args) {
        const key = a.key;
        const dflt = a.value === undefined ? undefined : lex.word(a.value, e);
        env.stageArgs.set(key, run.args.declare(key, dflt));
        parts.push(dflt === undefined ? key : `${key}=${dflt}`);
      }
      return commitMeta(env, `ARG ${parts.join(' ')}`);
    }
    case 'workdir': {
      const dir = word(ins.value);
      const prev = rc.WorkingDir || '/';
      rc.WorkingDir = dir.startsWith('/') ? normalize(dir) : normalize(`${prev}/${dir}`);
      const probe = { ...rc, Cmd: [...shellOf(rc), `#(nop) WORKDIR ${rc.WorkingDir}`] };
      if (tryCache(env, probe)) return;
      const cid = stepContainerId(run, st.imageId, probe.Cmd);
      run.out(` ---> Running in ${cid.slice(0, 12)}\n`);
      const layer = await workdirLayer(env, rc.WorkingDir);
      commitStep(run.backend.images, { state: st, containerConfig: probe, containerId: cid, created: createdTime(run), layer });
      removeNote(env, cid);
      return;
    }
    case 'run':
      return runInstruction(env, ins);
    case 'copy':
    case 'add':
      return copyStep(env, ins);
    case 'from':
      throw new BuildError('unexpected FROM');
  }
}

function normalize(p: string): string {
  const parts: string[] = [];
  for (const s of p.split('/')) {
    if (!s || s === '.') continue;
    if (s === '..') parts.pop();
    else parts.push(s);
  }
  return '/' + parts.join('/');
}

type RunIns = Extract<Instruction, { kind: 'run' | 'cmd' | 'entrypoint' }>;

async function runInstruction(env: StepEnv, ins: RunIns): Promise<void> {
  const { run, state: st } = env;
  const rc = st.runConfig;
  if (ins.flags.security) throw new BuildError('the --security option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled');
  const mounts = (ins.flags.mount ?? []).map((m) => parseMount(lexWord(env, m)));
  let cmd: string[];
  if (ins.heredocs.length && !ins.json) {
    const line = ins.args.join(' ');
    const bare = /^\s*\d*<<-?\s*["']?[A-Za-z_][A-Za-z0-9_]*["']?\s*$/.test(line);
    const script = bare ? ins.heredocs[0].content : `${line}\n${ins.heredocs.map((h) => `${h.content}${h.name}\n`).join('')}`;
    cmd = [...shellOf(rc), script];
  } else cmd = cmdLine(ins, rc);
  const runEnvArgs = allowedArgs(env.stageArgs, rc.Env ?? [], run.args.builtins());
  const histArgs = runEnvArgs.filter((kv) => !BUILTIN_ARGS.has(kv.split('=', 1)[0]) || env.stageArgs.has(kv.split('=', 1)[0])).sort();
  // Mounts change what the step sees: they are part of its cache key and history.
  const mountWords = (ins.flags.mount ?? []).map((m) => `--mount=${lexWord(env, m)}`);
  const saveCmd = [...(histArgs.length ? [`|${histArgs.length}`, ...histArgs] : []), ...mountWords, ...cmd];
  const probe: ContainerConfig = { ...rc, Cmd: saveCmd, Entrypoint: null };
  if (tryCache(env, probe)) return;
  const cid = stepContainerId(run, st.imageId, probe.Cmd);
  run.out(` ---> Running in ${cid.slice(0, 12)}\n`);
  const stderrLines = lineBuffer((text) => run.out(`\x1b[91m${text}\x1b[0m`));
  const prepared = await prepareMounts(run, mounts, rc.WorkingDir || '/', run.opts.secrets ?? new Map());
  const network = run.opts.network === 'none' || ins.flags.network?.[0] === 'none' ? 'none' : 'host';
  const before = prepared.targets.length ? await imageView(run.backend.root, st.layers) : undefined;
  const step = await runStep({
    binds: prepared.binds,
    tmpfs: prepared.tmpfs,
    root: run.backend.root,
    id: cid,
    layers: st.layers,
    args: cmd,
    env: [...(rc.Env ?? []), ...runEnvArgs],
    cwd: rc.WorkingDir || '/',
    user: rc.User ?? '',
    network,
    extraHosts: run.opts.extraHosts ?? [],
    volumes: Object.keys(rc.Volumes ?? {}),
    memory: run.opts.memory,
    nanoCpus: run.opts.nanoCpus,
    shmSize: run.opts.shmSize,
    ulimits: run.opts.ulimits,
    signal: run.opts.signal,
    onOutput: (stream, data) => (stream === 'stderr' ? stderrLines.push(data) : run.out(data.toString())),
  }).finally(() => prepared.cleanup());
  stderrLines.flush();
  const keep = run.opts.signal?.aborted ? false : step.exitCode !== 0 ? !run.opts.forceRm : run.opts.rm === false && !run.opts.forceRm;
  const parent = st.imageId;
  try {
    if (step.exitCode !== 0) throw new BuildError(`The command '${cmd.join(' ')}' returned a non-zero code: ${step.exitCode}`, step.exitCode);
    const diff = await step.diff();
    const layer = await ingestStepLayer(run, prepared.targets.length ? withoutMountPoints(diff, prepared.targets, before) : diff);
    commitStep(run.backend.images, { state: st, containerConfig: probe, containerId: cid, created: createdTime(run), layer });
  } finally {
    if (keep) await step.keep({ image: parent, config: { ...rc, Cmd: cmd }, created: createdTime(run) }).catch(() => step.cleanup());
    else await step.cleanup();
  }
  removeNote(env, cid);
}

/** The FROM image's ONBUILD triggers, run as part of the FROM step. */
export async function triggers(env: StepEnv): Promise<void> {
  const list = env.state.runConfig.OnBuild ?? [];
  if (!list.length) return;
  env.state.runConfig.OnBuild = null;
  env.run.out(`# Executing ${list.length} build trigger${list.length > 1 ? 's' : ''}\n`);
  for (const t of list) {
    const nodes = parse(t).nodes;
    if (nodes.length !== 1) throw new BuildError('onbuild trigger should be a single expression');
    await dispatch(env, toInstruction(nodes[0]));
  }
  if (env.state.imageId) env.run.out(` ---> ${short(env.state.imageId)}\n`.slice(0, 0));
}

/** Whole lines of a stream, as dockerd's stream writer tends to deliver a RUN's stderr. */
function lineBuffer(emit: (text: string) => void): { push: (d: Buffer) => void; flush: () => void } {
  let pending = '';
  return {
    push(d) {
      pending += d.toString();
      const nl = pending.lastIndexOf('\n');
      if (nl < 0) return;
      emit(pending.slice(0, nl + 1));
      pending = pending.slice(nl + 1);
    },
    flush() {
      if (pending) emit(pending);
      pending = '';
    },
  };
}
