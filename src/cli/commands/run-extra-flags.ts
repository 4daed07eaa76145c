/**
 * More of docker's run/create flags: `--cidfile` (docker's checks and messages; a file that
 * exists is never replaced), `--label-file`, and the flags wharf does not implement yet, which
 * are accepted by the parser only to fail with one line naming the flag: never silently ignored.
 */
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError } from '../context.js';
import { goErrnoText } from '../../core/output-file.js';
import { collect } from '../output.js';

export interface ExtraRunFlags {
  cidfile?: string;
  labelFile?: string[];
  label?: string[];
  [flag: string]: unknown;
}

/** Flags docker has that wharf refuses for now, with why (shown to the user). */
const UNSUPPORTED: [string, string, string][] = [
  ['--privileged', 'privileged', 'the runtime cannot grant every capability here'],
  ['--pid <string>', 'pid', 'containers always get their own PID namespace'],
  ['--ipc <string>', 'ipc', 'containers always get their own IPC namespace'],
  ['--uts <string>', 'uts', 'containers always get their own UTS namespace'],
  ['--device <list>', 'device', 'host devices cannot be added yet'],
  ['--cpu-shares <int>', 'cpuShares', 'CPU shares are not applied yet'],
  ['--cpuset-cpus <string>', 'cpusetCpus', 'cpusets are not applied yet'],
  ['--memory-swap <bytes>', 'memorySwap', 'swap limits are not applied yet'],
  ['--volumes-from <list>', 'volumesFrom', "another container's volumes cannot be mounted yet"],
  ['--log-driver <string>', 'logDriver', 'only the json-file log is written'],
  ['--detach-keys <string>', 'detachKeys', 'the detach keys are always ctrl-p,ctrl-q'],
  ['--sig-proxy', 'sigProxy', 'signals are always proxied'],
  ['--group-add <list>', 'groupAdd', 'extra groups are not added yet'],
  ['--sysctl <map>', 'sysctl', 'sysctls are not set yet'],
  ['--oom-kill-disable', 'oomKillDisable', 'the OOM killer cannot be disabled yet'],
  ['--mac-address <string>', 'macAddress', 'the MAC address is always generated'],
  ['--platform <string>', 'platform', 'only the host platform runs'],
];

export function defineExtraRunFlags(cmd: Command): Command {
  cmd.option('--cidfile <string>', 'Write the container ID to the file');
  cmd.option('--label-file <list>', 'Read in a line delimited file of labels', collect);
  for (const [flags, , why] of UNSUPPORTED) cmd.option(flags, `Not supported by wharf yet: ${why}`);
  return cmd;
}

/** A flag docker has and wharf does not implement: one line, exit 125. */
export class UnsupportedFlagError extends CliError {}

/** Refuse any unsupported flag that was given, naming it. */
export function refuseUnsupported(flags: ExtraRunFlags): void {
  const host = `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`;
  for (const [spec, key, why] of UNSUPPORTED) {
    if (key === 'platform' && [host, host.slice(6)].includes(String(flags.platform))) continue;
    if (flags[key] !== undefined) throw new UnsupportedFlagError(`wharf: ${spec.split(' ')[0]} is not supported: ${why}`, 125, true);
  }
}

/** `--label-file` lines (blank and `#` lines skipped; a bare key takes the environment's value). */
export function labelsFromFiles(files: string[]): string[] {
  const out: string[] = [];
  for (const path of files) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new CliError(`open ${path}: ${goErrnoText(err as NodeJS.ErrnoException)}`, 125);
    }
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      if (line.includes('=')) out.push(line);
      else if (process.env[line] !== undefined) out.push(`${line}=${process.env[line]}`);
    }
  }
  return out;
}

/**
 * docker's cidfile: refused when it exists, created (exclusively, 0644) before the container is,
 * filled with the ID after, and removed again when the create fails.
 */
export class CidFile {
  private fd?: number;
  constructor(readonly path: string) {
    if (existsSync(path)) throw new CliError(`container ID file found, make sure the other container isn't running or delete ${path}`, 1, true);
    try {
      this.fd = openSync(path, 'wx', 0o644);
    } catch (err) {
      throw new CliError(`failed to create the container ID file: open ${path}: ${goErrnoText(err as NodeJS.ErrnoException)}`, 1, true);
    }
  }

  write(id: string): void {
    writeSync(this.fd!, id);
    closeSync(this.fd!);
    this.fd = undefined;
  }

  abandon(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.path, { force: true });
  }
}
