/**
 * Build arguments with the classic builder's rules: `--build-arg` values reach only ARGs the
 * Dockerfile declares (or the predefined proxy args), meta ARGs before FROM serve FROM lines
 * and give defaults to a stage's redeclared ARG, ENV of the same name wins, and what no ARG
 * consumed is reported at the end.
 */

export const BUILTIN_ARGS = new Set(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']);

export function hostPlatformArgs(): Map<string, string> {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'ia32' ? '386' : process.arch;
  const p = `linux/${arch}`;
  return new Map([
    ['BUILDPLATFORM', p],
    ['BUILDOS', 'linux'],
    ['BUILDARCH', arch],
    ['BUILDVARIANT', ''],
    ['TARGETPLATFORM', p],
    ['TARGETOS', 'linux'],
    ['TARGETARCH', arch],
    ['TARGETVARIANT', ''],
  ]);
}

export class BuildArgs {
  /** Declared names (any stage, or meta). */
  private readonly referenced = new Set<string>();
  readonly meta = new Map<string, string | undefined>();
  private readonly platform = hostPlatformArgs();

  constructor(private readonly given: ReadonlyMap<string, string | undefined>) {}

  private givenValue(key: string): string | undefined {
    if (!this.given.has(key)) return undefined;
    return this.given.get(key) ?? process.env[key];
  }

  /** A meta ARG (before the first FROM). */
  declareMeta(key: string, dflt: string | undefined): void {
    this.referenced.add(key);
    this.meta.set(key, this.given.has(key) ? this.givenValue(key) : (dflt ?? this.platform.get(key)));
  }

  /** The env FROM lines expand with. */
  metaEnv(): Map<string, string> {
    const m = new Map<string, string>();
    for (const [k, v] of this.meta) if (v !== undefined) m.set(k, v);
    return m;
  }

  /** A stage's ARG: its value (given, else its default, else the meta value). */
  declare(key: string, dflt: string | undefined): string | undefined {
    this.referenced.add(key);
    if (this.given.has(key)) return this.givenValue(key);
    if (dflt !== undefined) return dflt;
    if (this.meta.has(key)) return this.meta.get(key);
    return this.platform.get(key);
  }

  /** Proxy args given on the command line: in RUN's environment without an ARG. */
  builtins(): [string, string][] {
    const out: [string, string][] = [];
    for (const k of this.given.keys()) {
      const v = this.givenValue(k);
      if (BUILTIN_ARGS.has(k) && v !== undefined) out.push([k, v]);
    }
    return out;
  }

  unused(): string[] {
    return [...this.given.keys()].filter((k) => !this.referenced.has(k) && !BUILTIN_ARGS.has(k)).sort();
  }
}

/** A stage's declared args with values, in declaration order. */
export type StageArgs = Map<string, string | undefined>;

/** `k=v` for the stage args not shadowed by the env (FilterAllowed). */
export function allowedArgs(args: StageArgs, env: readonly string[], builtins: [string, string][] = []): string[] {
  const envKeys = new Set(env.map((e) => e.split('=', 1)[0]));
  const out: string[] = [];
  for (const [k, v] of args) if (v !== undefined && !envKeys.has(k)) out.push(`${k}=${v}`);
  for (const [k, v] of builtins) if (!args.has(k) && !envKeys.has(k)) out.push(`${k}=${v}`);
  return out;
}
