/** Start the detached per-container monitor and read its one-line handshake. */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { WharfError } from '../../core/errors.js';
import type { Engine } from '../engine.js';
import type { ControlEvent } from '../../container/runtime/control.js';
import { childEnv, helperArgs, HELPER_NODE_FLAGS } from '../../container/runtime/helper-process.js';

const monitorEntry = () => helperArgs('container/runtime/monitor-main', 'monitor', import.meta.url);

export interface MonitorOptions {
  waitAttach?: boolean;
  size?: { cols: number; rows: number };
}

export function spawnMonitor(engine: Engine, id: string, o: MonitorOptions = {}): Promise<{ event: ControlEvent; child: ChildProcess }> {
  const dir = engine.containers.dir(id);
  const args = [...HELPER_NODE_FLAGS, ...monitorEntry(), engine.root, id];
  if (o.waitAttach) args.push('--wait-attach');
  if (o.size) args.push('--cols', String(o.size.cols), '--rows', String(o.size.rows));
  const log = openSync(join(dir, 'monitor.log'), 'a');
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', log], cwd: '/', env: childEnv() });
  closeSync(log);
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      child.stdout!.off('data', onData);
      child.stdout!.destroy();
      child.unref();
      try {
        resolve({ event: JSON.parse(buf.slice(0, nl)) as ControlEvent, child });
      } catch (err) {
        reject(err);
      }
    };
    child.stdout!.on('data', onData);
    child.on('exit', (code) => {
      if (!buf.includes('\n')) reject(new WharfError('INTERNAL', `container monitor exited (${code}); see ${join(dir, 'monitor.log')}`));
    });
  });
}
