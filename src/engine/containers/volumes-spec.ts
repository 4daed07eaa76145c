/**
 * Docker's `-v/--volume` grammar (`[SRC:]DST[:MODE]`) and `--mount` grammar (`type=...,source=...,
 * target=...,readonly,...`), with their error messages.
 */
import { invalidArgument, WharfError } from '../../core/errors.js';
import { parseRamSize } from '../../core/units.js';
import type { HostMount } from '../../container/types.js';

export interface VolumeSpec {
  type: 'bind' | 'volume' | 'tmpfs';
  /** Host path (bind), volume name (named), or '' (anonymous or tmpfs). */
  source: string;
  destination: string;
  readOnly: boolean;
  mode: string;
  /** Given with --mount: docker records it in HostConfig.Mounts (not Binds), and a bind source must exist. */
  mount?: HostMount;
}

const MODES = /^(ro|rw|z|Z|nocopy|shared|slave|private|rshared|rslave|rprivate)(,(ro|rw|z|Z|nocopy|shared|slave|private|rshared|rslave|rprivate))*$/;

const daemonError = (msg: string) => new WharfError('INVALID_ARGUMENT', msg, { exitCode: 125, daemonSide: true });

export function parseVolumeSpec(spec: string): VolumeSpec {
  const parts = spec.split(':');
  if (parts.some((p) => p === '') && parts.length > 1) {
    throw invalidArgument(`invalid spec: ${spec}: empty section between colons`, { exitCode: 125 });
  }
  if (!spec) throw invalidArgument('invalid empty volume spec', { exitCode: 125 });
  if (parts.length > 3) throw daemonError(`invalid volume specification: '${spec}'`);
  let source = '';
  let destination: string;
  let mode = '';
  if (parts.length === 1) destination = parts[0]!;
  else if (parts.length === 2) {
    if (MODES.test(parts[1]!)) throw daemonError(`invalid volume specification: '${spec}'`);
    [source, destination] = parts as [string, string];
  } else [source, destination, mode] = parts as [string, string, string];
  if (mode && !MODES.test(mode)) throw daemonError(`invalid mode: ${mode}`);
  const type = source.startsWith('/') ? 'bind' : 'volume';
  if (!destination.startsWith('/')) {
    throw daemonError(`invalid volume specification: '${spec}': invalid mount config for type "${type}": invalid mount path: '${destination}' mount path must be absolute`);
  }
  if (destination === '/') throw daemonError(`invalid volume specification: '${spec}': invalid mount config for type "${type}": invalid specification: destination can't be '/'`);
  const modes = mode.split(',');
  return { type, source, destination: destination.replace(/(.)\/+$/, '$1'), readOnly: modes.includes('ro'), mode };
}

const MOUNT_KEYS: Record<string, string> = {
  type: 'type', source: 'source', src: 'source', target: 'target', destination: 'target', dst: 'target',
  readonly: 'readonly', ro: 'readonly', 'tmpfs-size': 'tmpfs-size', 'tmpfs-mode': 'tmpfs-mode',
  'bind-propagation': 'ignored', 'volume-nocopy': 'ignored', 'volume-opt': 'ignored', consistency: 'ignored',
};

/** What dockerd checks of a HostConfig.Mounts entry (type, an absolute target, the source its type needs). */
export function checkHostMount(m: HostMount): void {
  const fail = (why: string) => daemonError(`invalid mount config for type ${JSON.stringify(m.Type)}: ${why}`);
  if (m.Type !== 'bind' && m.Type !== 'volume' && m.Type !== 'tmpfs') throw fail('mount type unknown');
  if (!m.Target?.startsWith('/')) throw fail(`invalid mount path: '${m.Target ?? ''}' mount path must be absolute`);
  if (m.Type === 'bind' && !m.Source) throw fail('field Source must not be empty');
  if (m.Type === 'tmpfs' && m.Source) throw fail('field Source must not be specified');
}

/** `--mount type=bind,source=/a,target=/b,readonly` and friends. */
export function parseMountSpec(spec: string): VolumeSpec {
  const flagError = (why: string) => invalidArgument(`invalid argument ${JSON.stringify(spec)} for "--mount" flag: ${why}`, { exitCode: 125 });
  const fields: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    const [key, value] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    const name = MOUNT_KEYS[key.toLowerCase()];
    if (!name) throw flagError(`unexpected key '${key}' in '${part}'`);
    if (name === 'readonly') fields.readonly = value === '' || value === 'true' || value === '1' ? 'true' : 'false';
    else if (name !== 'ignored') fields[name] = value;
  }
  const type = (fields.type || 'volume') as HostMount['Type'];
  if (!fields.target) throw flagError('target is required');
  const readOnly = fields.readonly === 'true';
  const mount: HostMount = { Type: type, ...(fields.source ? { Source: fields.source } : {}), Target: fields.target, ...(readOnly ? { ReadOnly: true } : {}) };
  checkHostMount(mount);
  if (type === 'tmpfs' && (fields['tmpfs-size'] || fields['tmpfs-mode'])) {
    mount.TmpfsOptions = {
      ...(fields['tmpfs-size'] ? { SizeBytes: parseRamSize(fields['tmpfs-size']) } : {}),
      ...(fields['tmpfs-mode'] ? { Mode: parseInt(fields['tmpfs-mode'], 8) } : {}),
    };
  }
  return { type, source: fields.source ?? '', destination: fields.target, readOnly, mode: '', mount };
}
