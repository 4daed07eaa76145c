/**
 * A pass-through that also writes every chunk into a second sink (the content store's writer),
 * honouring the sink's backpressure and ending it when the stream ends. Pull uses it to keep
 * the compressed bytes of a layer while they decompress; push to keep the gzip it uploads.
 */
import { Transform, type Writable } from 'node:stream';

export function teeInto(sink: Writable, highWaterMark = 1 << 20): Transform {
  return new Transform({
    highWaterMark,
    transform(chunk: Buffer, _enc, cb) {
      if (sink.write(chunk)) cb(null, chunk);
      else sink.once('drain', () => cb(null, chunk));
    },
    flush(cb) {
      sink.end();
      cb();
    },
  });
}
