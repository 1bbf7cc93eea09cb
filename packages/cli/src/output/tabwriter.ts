// Elastic tabstops as Go's text/tabwriter lays them out, so `describe` output lines up the
// way kubectl's does: a column block is a run of consecutive lines that have a cell in
// that column; a line without a tab ends every block.

/** Options of the tab writer (Go's minwidth and padding; the pad character is a space). */
export interface TabwriterOptions {
  minWidth: number;
  padding: number;
}

/** Aligns tab-separated cells of `text` into columns, like Go's tabwriter.Writer + Flush. */
export function tabwrite(text: string, opts: TabwriterOptions): string {
  const trailingNewline = text.endsWith("\n");
  const lines = (trailingNewline ? text.slice(0, -1) : text).split("\n").map((l) => l.split("\t"));
  const out: string[] = [];
  const widths: number[] = [];
  let pos = 0; // the next line to print: every line is printed once, in order

  const writeLines = (to: number) => {
    for (; pos < to; pos++) {
      const cells = lines[pos];
      // The last cell holds the text after the last tab: it belongs to no column, no padding.
      out.push(cells.map((c, j) => (j < cells.length - 1 ? c.padEnd(c.length + Math.max(0, (widths[j] ?? 0) - width(c))) : c)).join(""));
    }
  };

  const format = (line0: number, line1: number) => {
    const column = widths.length;
    let i = line0;
    while (i < line1) {
      if (column >= lines[i].length - 1) {
        i++;
        continue;
      }
      // A cell in this column opens a block: print what precedes it with the widths known so far.
      writeLines(i);
      const start = i;
      let w = opts.minWidth;
      for (; i < line1 && column < lines[i].length - 1; i++) w = Math.max(w, width(lines[i][column]) + opts.padding);
      widths.push(w);
      format(start, i);
      widths.pop();
    }
    writeLines(line1);
  };

  format(0, lines.length);
  return out.join("\n") + (trailingNewline ? "\n" : "");
}

/** Display width of a cell (code points; good enough for the ASCII kubectl prints). */
export function width(s: string): number {
  return Array.from(s).length;
}
