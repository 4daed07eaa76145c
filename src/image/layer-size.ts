/**
 * Docker counts a layer's size as its unpacked directory's: regular file bytes plus
 * symlink target lengths (lstat sizes), hardlinks once. We learn it while the
 * layer streams into the content store: chunks are fed to the tar reader on the side,
 * so the data is read once.
 */
import { PassThrough } from 'node:stream';
import { readTar } from '../archive/tar.js';

export interface LayerSizeScanner {
  push: (chunk: Buffer) => void;
  /** Ends the side stream; resolves the size once the reader has seen every header. */
  finish: () => Promise<number>;
}

export function scanLayerSize(): LayerSizeScanner {
  const side = new PassThrough({ highWaterMark: 1 << 20 });
  let failed = false;
  const done = (async () => {
    let size = 0;
    for await (const { header, body } of readTar(side)) {
      if (header.type === 'file') size += header.size;
      else if (header.type === 'symlink') size += Buffer.byteLength(header.linkname);
      // readTar destroys the last body with a later parse error: the iterator reports it.
      body.on('error', () => undefined);
      body.resume();
    }
    return size;
  })();
  // Not a tar: stop feeding the side stream (nobody reads it any more).
  done.catch(() => {
    failed = true;
    side.destroy();
  });
  return {
    push: (chunk) => {
      if (!failed) side.write(chunk);
    },
    finish: async () => {
      if (!failed) side.end();
      return done;
    },
  };
}
