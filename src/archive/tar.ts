/**
 * The tar codec's public face: the header model, the streaming reader and the writer.
 * Split into tar-header / tar-reader / tar-writer along the format's own seams.
 */
export {
  BLOCK,
  completeHeader,
  emptyHeader,
  type TarEntryType,
  type TarHeader,
  type TarHeaderInput,
} from './tar-header.js';
export { TarReader, readTar } from './tar-reader.js';
export { TarWriter, encodeHeader } from './tar-writer.js';
