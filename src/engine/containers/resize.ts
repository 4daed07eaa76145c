/** `resize`: a running TTY container's terminal size, through its monitor (which sends no answer). */
import { WharfError } from '../../core/errors.js';
import { connectControl, encodeFrame, Frame } from '../../container/runtime/control.js';
import type { Engine } from '../engine.js';

export async function resizeContainer(engine: Engine, ref: string, size: { cols: number; rows: number }): Promise<void> {
  const rec = engine.containers.get(ref);
  const st = engine.containers.state(rec.Id);
  if (!st.Running) throw new WharfError('CONFLICT', `Container ${rec.Id} is not running`);
  const sock = await connectControl(rec.Id);
  sock.on('error', () => undefined);
  sock.end(encodeFrame(Frame.Request, { op: 'resize', ...size }));
}
