/**
 * The confined file worker: a child node process that loads all its code and native addons,
 * chroots into the root it is given (argv), and runs one operation (confined-ops.ts) there,
 * a tar coming in on stdin or going out on stdout. Messages to the parent are JSON lines on
 * fd 3: early ones (`tell`), then `{ ok }` or `{ error }`. Nothing is loaded after the
 * chroot (node's built-ins are in the binary), and no program is run from inside the root.
 */
import { writeSync } from 'node:fs';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { native } from './native.js';
import { readXattrs } from './fs-meta.js';
import { runOp, type ConfinedOp, type OpResult } from './confined-ops.js';
import { isWharfError } from '../core/errors.js';

const say = (msg: object) => writeSync(3, `${JSON.stringify(msg)}\n`);

async function send(tar: Readable): Promise<void> {
  for await (const chunk of tar) {
    if (!process.stdout.write(chunk as Buffer)) await once(process.stdout, 'drain');
  }
  await new Promise<void>((resolve, reject) => process.stdout.write('', (err) => (err ? reject(err) : resolve())));
}

async function main(): Promise<void> {
  const [root, json] = process.argv.slice(2);
  const op = JSON.parse(json!) as ConfinedOp;
  const addon = native();
  readXattrs('/'); // loads the xattr addon now: after the chroot its file is out of reach
  addon.chroot(root!);
  const result: OpResult = await runOp(op, { stdin: process.stdin, send, tell: (m) => say({ tell: m }) });
  say({ ok: result });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const e = err as NodeJS.ErrnoException;
    const code = isWharfError(err) ? err.code : 'INTERNAL';
    const message = isWharfError(err) ? err.message : `${e.code ?? 'error'}: ${e.message}`;
    try {
      say({ error: { code, message, errno: e.code } });
    } catch {}
    process.exit(1);
  },
);
