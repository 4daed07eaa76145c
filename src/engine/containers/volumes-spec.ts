/** Docker's `-v/--volume` grammar: `[SRC:]DST[:MODE]`, with its error messages. */
import { invalidArgument, WharfError } from '../../core/errors.js';

export interface VolumeSpec {
  type: 'bind' | 'volume';
  /** Host path (bind), volume name (named), or '' (anonymous). */
  source: string;
  destination: string;
  readOnly: boolean;
  mode: string;
}

const MODES = /^(ro|rw|z|Z|nocopy|shared|slave|private|rshared|rslave|rprivate)(,(ro|rw|z|Z|nocopy|shared|slave|private|rshared|rslave|rprivate))*$/;

const daemonError = (msg: string) => new WharfError('INVALID_ARGUMENT', msg, { exitCode: 125 });

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
