/** `resize`: a running TTY container's terminal size, through its monitor (which sends no answer). */
import { WharfError } from '../../core/errors.js';
import { connectControl, encodeFrame, Frame } from '../../container/runtime/control.js';
import { getContainer } from './api-ops.js';

export async function resizeContainer(root: string, ref: string, size: { cols: number; rows: number }): Promise<void> {
  const { rec, st } = getContainer(root, ref);
  if (!st.Running) throw new WharfError('CONFLICT', `Container ${rec.Id} is not running`);
  const sock = await connectControl(rec.Id);
  sock.on('error', () => undefined);
  sock.end(encodeFrame(Frame.Request, { op: 'resize', ...size }));
}
