/**
 * A clone of Go's text/tabwriter (elastic tabstops) as docker/cli uses it for tables:
 * `tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)` (minwidth 10, tabwidth 1, padding 3,
 * pad with spaces, no flags). Cells are tab-terminated; text after the last tab of a line is
 * not part of a column and is never padded; a column block ends at the first line that has
 * no cell in that column. Our own implementation of the documented algorithm.
 */

export interface TabwriterOptions {
  minwidth: number;
  padding: number;
  padchar: string;
}

/** docker/cli's table parameters. */
export const DOCKER_TABWRITER: TabwriterOptions = { minwidth: 10, padding: 3, padchar: ' ' };

interface Cell { text: string; width: number; htab: boolean }

/**
 * Width of a cell in code points, as Go's text/tabwriter counts (utf8.RuneCount). docker 20.10
 * aligns `日本語` as three columns (checked); newer docker/cli counts East Asian wide runes twice.
 */
export function cellWidth(s: string): number {
  if (!/[^\x00-\x7f]/.test(s)) return s.length;
  let w = 0;
  for (const _ of s) w++;
  return w;
}

/** Align the tab-terminated cells of `text` (all of it, as one Write followed by Flush). */
export function tabwriteText(text: string, opts: TabwriterOptions = DOCKER_TABWRITER): string {
  const segments = text.split(/\n|\f/);
  const lines: Cell[][] = segments.map((seg, i) => {
    const parts = seg.split(/\t|\v/);
    const cells = parts.map((t, j) => ({ text: t, width: cellWidth(t), htab: j < parts.length - 1 }));
    // The text after the last line break is a cell only if it is not empty.
    if (i === segments.length - 1 && cells[cells.length - 1]!.text === '') cells.pop();
    return cells;
  });
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (line0: number, line1: number) => {
    for (let i = line0; i < line1; i++) {
      const line = lines[i]!;
      line.forEach((c, j) => {
        out.push(c.text);
        if (j < widths.length) out.push(opts.padchar.repeat(Math.max(widths[j]! - c.width, 0)));
      });
      if (i + 1 < lines.length) out.push('\n');
    }
  };

  const format = (line0: number, line1: number) => {
    const column = widths.length;
    for (let cur = line0; cur < line1; cur++) {
      if (column >= lines[cur]!.length - 1) continue;
      // A cell exists in this column: print the lines before this block, then size the block.
      writeLines(line0, cur);
      line0 = cur;
      let width = opts.minwidth;
      for (; cur < line1; cur++) {
        const line = lines[cur]!;
        if (column >= line.length - 1) break;
        width = Math.max(width, line[column]!.width + opts.padding);
      }
      widths.push(width);
      format(line0, cur);
      widths.pop();
      line0 = cur;
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join('');
}
