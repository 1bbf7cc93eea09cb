// Renders a Table as kubectl prints it: upper-case headers, columns padded like kubectl's
// tabwriter (minimum width 6, 3 spaces of padding), wide-only columns unless `wide`.
import type { Table } from "./types.js";
/** Display width of a cell (code points; kubectl does not measure wide glyphs either). */
const width = (s: string): number => Array.from(s).length;

/** How a Table is turned into text. */
export interface RenderOptions {
  /** Show priority > 0 columns (`-o wide`). */
  wide?: boolean;
  noHeaders?: boolean;
  /** Prepend a NAMESPACE column (`-A`), read from each row's object. */
  withNamespace?: boolean;
  /** Append a LABELS column (`--show-labels`). */
  showLabels?: boolean;
  /** Column widths from an earlier render, kept so `-w` rows stay aligned with the header. */
  widths?: number[];
}

/** Text plus the column widths used (to pass back as `widths` for the next rows). */
export interface Rendered {
  text: string;
  widths: number[];
}

const minWidth = 6;
const padding = 3;

/** Formats one cell value the way kubectl prints table cells. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return "<none>";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

function meta(obj: unknown): { namespace?: string; labels?: Record<string, string> } {
  return ((obj as { metadata?: object } | undefined)?.metadata ?? {}) as { namespace?: string; labels?: Record<string, string> };
}

/** Renders a Table to text (each line ends with "\n"; empty when no headers and no rows). */
export function renderTable(table: Table, opts: RenderOptions = {}): Rendered {
  const visible = table.columnDefinitions.map((c, i) => ({ c, i })).filter(({ c }) => opts.wide || c.priority === 0);
  const header: string[] = visible.map(({ c }) => c.name.toUpperCase());
  const rows: string[][] = table.rows.map((r) => visible.map(({ i }) => cellText(r.cells[i])));
  if (opts.withNamespace) {
    header.unshift("NAMESPACE");
    table.rows.forEach((r, j) => {
      rows[j].unshift(meta(r.object).namespace ?? "");
    });
  }
  if (opts.showLabels) {
    header.push("LABELS");
    table.rows.forEach((r, j) => {
      const labels = Object.entries(meta(r.object).labels ?? {}).map(([k, v]) => `${k}=${v}`);
      rows[j].push(labels.length ? labels.join(",") : "<none>");
    });
  }
  const lines = opts.noHeaders ? rows : [header, ...rows];
  const widths = header.map((_, i) => Math.max(opts.widths?.[i] ?? 0, minWidth, ...lines.map((l) => width(l[i]) + padding)));
  const text = lines.map((cells) => cells.map((c, i) => (i < cells.length - 1 ? c + " ".repeat(widths[i] - width(c)) : c)).join("") + "\n").join("");
  return { text, widths };
}
