/**
 * A pass-through that also writes every chunk into a second sink, honouring the sink's
 * backpressure and ending it when the stream ends. Pull uses it to keep the compressed bytes
 * of a layer while they decompress, and to unpack a layer while it is stored; push to keep the
 * gzip it uploads. A sink that closes early (an unpack that failed) just stops receiving: the
 * main stream goes on, and the sink's owner reports its failure.
 */
import { Transform, type Writable } from 'node:stream';

export function teeInto(sink: Writable, highWaterMark = 1 << 20): Transform {
  return new Transform({
    highWaterMark,
    transform(chunk: Buffer, _enc, cb) {
      if (sink.destroyed || sink.writableEnded) return cb(null, chunk);
      if (sink.write(chunk)) return cb(null, chunk);
      const go = () => {
        sink.off('drain', go);
        sink.off('close', go);
        cb(null, chunk);
      };
      sink.on('drain', go);
      sink.on('close', go);
    },
    flush(cb) {
      if (!sink.destroyed) sink.end();
      cb();
    },
  });
}
