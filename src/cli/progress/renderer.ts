/**
 * Docker's pull/push progress display (docker/cli jsonmessage): one line per layer keyed by
 * its short ID, redrawn in place with ANSI cursor movement on a terminal; on other outputs a
 * plain line per status change and no progress bars.
 */
import { humanSize } from '../../core/units.js';

export interface ProgressValue {
  current: number;
  total?: number;
}

const BAR_WIDTH = 50;

/** jsonmessage's JSONProgress.String(): `[=====>     ]  12.3MB/70MB` (bar only when wide enough). */
export function formatProgress(p: ProgressValue, columns = 200): string {
  const total = p.total ?? 0;
  if (p.current <= 0 && total <= 0) return '';
  const current = humanSize(p.current);
  if (total <= 0) return current.padStart(8);
  const pct = Math.min(Math.floor((p.current / total) * 100) >> 1, BAR_WIDTH);
  const bar = columns > 110 ? `[${'='.repeat(pct)}>${' '.repeat(Math.max(BAR_WIDTH - pct, 0))}] ` : '';
  const numbers = p.current > total ? current.padStart(8) : `${current.padStart(8)}/${humanSize(total)}`;
  return bar + numbers;
}

export class ProgressRenderer {
  /** Line index of each ID shown since the last plain line (TTY only). */
  private lines = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly isTTY: boolean,
  ) {}

  private columns(): number {
    const cols = (this.stream as { columns?: number }).columns;
    return this.isTTY && cols ? cols : 200;
  }

  /** A per-layer status (`Downloading`, `Pull complete`, ...) with optional byte progress. */
  update(id: string, status: string, progress?: ProgressValue): void {
    if (this.closed) return;
    const bar = progress ? formatProgress(progress, this.columns()) : '';
    if (!this.isTTY) {
      // Lines with a bar are transient: docker drops them off a terminal.
      if (bar) return;
      this.stream.write(`${id}: ${status}\n`);
      return;
    }
    let out = '';
    let line = this.lines.get(id);
    if (line === undefined) {
      line = this.lines.size;
      this.lines.set(id, line);
      out += '\n';
    }
    const up = this.lines.size - line;
    if (up > 0) out += `\x1b[${up}A`;
    out += `\x1b[2K\r${id}: ${status} ${bar}\r`;
    if (up > 0) out += `\x1b[${up}B`;
    this.stream.write(out);
  }

  /** A line not tied to a layer (`Digest: ...`); later layer updates start a fresh block. */
  line(text: string): void {
    if (this.closed) return;
    this.lines = new Map();
    this.stream.write(`${text}\n`);
  }

  /** Stop drawing. The cursor already sits on the line below the layer block. */
  close(): void {
    if (this.closed) return;
    this.lines = new Map();
    this.closed = true;
  }
}
