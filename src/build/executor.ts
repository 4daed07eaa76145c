/**
 * The classic builder's step loop: each instruction of the stages the target needs runs in
 * order on the stage's current image and commits a new (intermediate) image, or reuses a
 * cached one, and reports progress as docker's build stream messages (`{stream}` text and an
 * `{aux: {ID}}` at the end), so the CLI prints them and an API server can forward them.
 * Instruction semantics are in steps.ts; images and cache in commit.ts.
 */
import { parseDockerfile, type Dockerfile, type Instruction, type Stage } from './dockerfile/instructions.js';
import { ShellLexer } from './dockerfile/shell.js';
import { BuildArgs, type StageArgs } from './args.js';
import { adoptImage, type StageState } from './commit.js';
import type { BuildContext } from './context.js';
import type { ImageStore } from '../image/store.js';
import type { ContainerConfig } from '../image/types.js';
import { dispatch, triggers, type StepEnv } from './steps.js';
import { planStages } from './planner.js';
import type { Ulimit } from '../container/runtime/limits.js';
import { DEFAULT_PATH } from '../container/runtime/prepare.js';

export interface BuildMessage {
  stream?: string;
  aux?: { ID: string };
}

export interface BuildBackend {
  root: string;
  images: ImageStore;
  /** Pull an image that is not in the store (or refresh it with --pull). */
  pull(ref: string, platform?: string): Promise<void>;
}

export interface BuildOptions {
  context: BuildContext;
  dockerfile: string;
  dockerfileName?: string;
  tags?: string[];
  buildArgs?: Map<string, string | undefined>;
  noCache?: boolean;
  target?: string;
  labels?: Record<string, string>;
  rm?: boolean;
  forceRm?: boolean;
  network?: string;
  extraHosts?: string[];
  pull?: boolean;
  platform?: string;
  memory?: number;
  nanoCpus?: number;
  shmSize?: number;
  ulimits?: Ulimit[];
  /** `--cache-from` images: their history can turn steps into cache hits. */
  cacheFrom?: string[];
  /** `--secret id=ID,src=FILE`: id -> host file. */
  secrets?: Map<string, string>;
  /** One layer for the build's steps on top of the base (history kept). */
  squash?: boolean;
  /** Seconds since the epoch for every `created` (SOURCE_DATE_EPOCH). */
  sourceDateEpoch?: number;
  signal?: AbortSignal;
}

export class BuildError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

/** Steps and the image each stage ended on, for COPY --from and FROM <stage>. */
export interface BuildRun {
  backend: BuildBackend;
  opts: BuildOptions;
  df: Dockerfile;
  args: BuildArgs;
  lexer: ShellLexer;
  emit: (m: BuildMessage) => void;
  out: (text: string) => void;
  stageImages: Map<number, string>;
  stepNo: number;
  stepCount: number;
  /** `--cache-from` image IDs (those found, locally or pulled). */
  cacheFrom: string[];
}

export function stageByName(run: BuildRun, name: string): Stage | undefined {
  const lower = name.toLowerCase();
  const byName = run.df.stages.find((s) => s.name === lower);
  if (byName) return byName;
  if (/^\d+$/.test(name)) return run.df.stages[Number(name)];
  return undefined;
}

export interface BuildResult {
  id: string;
  /** The final stage's base image, its layer and history counts: the build's own come after. */
  baseId: string;
  baseLayers: number;
  baseHistory: number;
}

export async function runBuild(backend: BuildBackend, opts: BuildOptions, emit: (m: BuildMessage) => void): Promise<BuildResult> {
  const df = parseDockerfile(opts.dockerfile, opts.dockerfileName);
  const args = new BuildArgs(opts.buildArgs ?? new Map());
  for (const a of df.metaArgs) for (const kv of a.args) args.declareMeta(kv.key, kv.value === undefined ? undefined : new ShellLexer(df.escape).word(kv.value, args.metaEnv()));
  const out = (text: string) => emit({ stream: text });
  const run: BuildRun = { backend, opts, df, args, lexer: new ShellLexer(df.escape), emit, out, stageImages: new Map(), stepNo: 0, stepCount: 0, cacheFrom: [] };
  for (const ref of opts.cacheFrom ?? []) {
    let id = backend.images.resolveId(ref);
    if (!id) {
      await backend.pull(ref).catch(() => undefined);
      id = backend.images.resolveId(ref);
    }
    if (id) run.cacheFrom.push(id);
  }
  if (opts.target && !stageByName(run, opts.target)) throw new BuildError(`failed to reach build target ${opts.target} in Dockerfile`);
  const plan = planStages(df, opts.target, (n) => stageByName(run, n)?.index);
  run.stepCount = df.metaArgs.length ? 0 : 0;
  for (const s of plan.build) run.stepCount += 1 + s.steps.length;
  for (const s of plan.skipped) out(`Skipping stage ${s.index}${s.name ? ` (${s.name})` : ''}: not needed for the target\n`);
  let last: BuildResult = { id: '', baseId: '', baseLayers: 0, baseHistory: 0 };
  for (const stage of plan.build) {
    last = await buildStage(run, stage, stage === plan.build[plan.build.length - 1]);
    run.stageImages.set(stage.index, last.id);
  }
  const unused = args.unused();
  if (unused.length) out(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
  return last;
}

async function buildStage(run: BuildRun, stage: Stage, isFinal: boolean): Promise<BuildResult> {
  const st = await fromStep(run, stage);
  const base = { baseId: st.imageId, baseLayers: st.diffIds.length, baseHistory: st.history.length };
  const stageArgs: StageArgs = new Map();
  const env: StepEnv = { run, stage, state: st, stageArgs, expandEnv: () => expansionEnv(st.runConfig, stageArgs) };
  await triggers(env);
  const steps: Instruction[] = [...stage.steps];
  if (isFinal && run.opts.labels && Object.keys(run.opts.labels).length) {
    // `--label` values are one more LABEL step, as the classic builder appends it.
    const pairs = Object.entries(run.opts.labels).map(([key, value]) => ({ key, value }));
    steps.push({ kind: 'label', pairs, line: 0, text: `LABEL ${pairs.map((p) => `${JSON.stringify(p.key)}=${JSON.stringify(p.value)}`).join(' ')}`, flags: {}, literal: true } as Instruction);
    run.stepCount++;
  }
  for (const ins of steps) {
    if (run.opts.signal?.aborted) throw new BuildError('build canceled');
    run.stepNo++;
    run.out(`Step ${run.stepNo}/${run.stepCount} : ${ins.text}\n`);
    await dispatch(env, ins);
    run.out(` ---> ${short(st.imageId)}\n`);
  }
  if (!st.imageId) throw new BuildError('No image was generated. Is your Dockerfile empty?');
  return { id: st.imageId, ...base };
}

export function expansionEnv(rc: ContainerConfig, stageArgs: StageArgs): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of stageArgs) if (v !== undefined) m.set(k, v);
  for (const e of rc.Env ?? []) {
    const i = e.indexOf('=');
    m.set(i < 0 ? e : e.slice(0, i), i < 0 ? '' : e.slice(i + 1));
  }
  return m;
}

async function fromStep(run: BuildRun, stage: Stage): Promise<StageState> {
  run.stepNo++;
  run.out(`Step ${run.stepNo}/${run.stepCount} : ${stage.from.text.replace(/^\S+/, 'FROM')}\n`);
  const name = run.lexer.word(stage.from.image, run.args.metaEnv());
  if (!name) throw new BuildError(`base name (${stage.from.image}) should not be blank`);
  const platform = stage.from.platform ? run.lexer.word(stage.from.platform, run.args.metaEnv()) : run.opts.platform;
  const st: StageState = { imageId: '', architecture: hostArch(), os: 'linux', runConfig: {}, history: [], diffIds: [], layers: [], cmdSet: false };
  if (name.toLowerCase() === 'scratch') {
    st.runConfig.Env = [`PATH=${DEFAULT_PATH}`];
    return st;
  }
  const fromStage = stageByName(run, name);
  let id: string | undefined = fromStage && fromStage.index < stage.index ? run.stageImages.get(fromStage.index) : undefined;
  const images = run.backend.images;
  if (!id) {
    if (run.opts.pull || !images.resolveId(name)) await run.backend.pull(name, platform);
    id = images.resolveId(name);
    if (!id) throw new BuildError(`pull access denied for ${name}, repository does not exist or may require 'docker login'`);
  }
  const rec = images.record(id as `sha256:${string}`);
  if (platform) checkPlatform(platform, rec.config.architecture, rec.config.os, name);
  adoptImage(images, st, id);
  st.architecture = rec.config.architecture;
  st.os = rec.config.os;
  if (rec.config.variant) st.variant = rec.config.variant;
  st.runConfig = structuredClone(rec.config.config ?? {});
  // As dockerd's beginStage: a stage always has a PATH.
  if (!(st.runConfig.Env ?? []).some((e) => e.startsWith('PATH='))) st.runConfig.Env = [...(st.runConfig.Env ?? []), `PATH=${DEFAULT_PATH}`];
  run.out(` ---> ${short(id)}\n`);
  return st;
}

function hostArch(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch;
}

function checkPlatform(spec: string, arch: string, os: string, name: string): void {
  const [wantOs, wantArch] = spec.toLowerCase().split('/');
  const norm = (a: string) => (a === 'x86_64' || a === 'x86-64' ? 'amd64' : a === 'aarch64' ? 'arm64' : a);
  if ((wantOs && wantOs !== os) || (wantArch && norm(wantArch) !== norm(arch))) {
    throw new BuildError(`image with reference ${name} was found but does not match the specified platform: wanted ${spec}, actual: ${os}/${arch}`);
  }
}
