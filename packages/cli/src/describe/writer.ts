// The text builder of `describe`: indented "Label:\tvalue" lines aligned like kubectl's
// describe output (Go tabwriter, padding 2), plus the shared multi-line field printers.
import { tabwrite } from "../output/tabwriter.js";

/** kubectl cuts annotation lines longer than this. */
const maxAnnotationLen = 140;

/** Collects describe output; `toString` aligns it. */
export class DescribeWriter {
  private done = "";
  private pending = "";

  /** Writes text at an indentation level (2 spaces per level); include "\n" yourself. */
  write(level: number, text: string): void {
    this.pending += "  ".repeat(level) + text;
  }

  /** Writes one line at an indentation level. */
  line(level: number, text: string): void {
    this.write(level, text + "\n");
  }

  /** Aligns what was written so far on its own (kubectl flushes before event tables). */
  flush(): void {
    this.done += tabwrite(this.pending, { minWidth: 0, padding: 2 });
    this.pending = "";
  }

  /** `Title:\tk=v` lines for a string map (labels, node selectors), or `<none>`. */
  map(level: number, title: string, m: Record<string, string> | undefined, sep = "="): void {
    const keys = Object.keys(m ?? {}).sort();
    if (keys.length === 0) return this.line(level, `${title}:\t<none>`);
    keys.forEach((k, i) => {
      this.line(i === 0 ? level : 0, `${i === 0 ? `${title}:` : "  ".repeat(level)}\t${k}${sep}${m![k]}`);
    });
  }

  /** `Title:\tvalue` lines for a list of strings, or `<none>`. */
  list(level: number, title: string, items: string[]): void {
    if (items.length === 0) return this.line(level, `${title}:\t<none>`);
    items.forEach((s, i) => {
      this.line(i === 0 ? level : 0, `${i === 0 ? `${title}:` : "  ".repeat(level)}\t${s}`);
    });
  }

  /** Annotations as kubectl prints them: `key: value`, long or multi-line values cut and indented. */
  annotations(level: number, m: Record<string, string> | undefined): void {
    const keys = Object.keys(m ?? {}).sort();
    if (keys.length === 0) return this.line(level, "Annotations:\t<none>");
    const indent = "  ".repeat(level);
    keys.forEach((k, i) => {
      const lead = i === 0 ? `${indent}Annotations:\t` : `${indent}\t`;
      const value = m![k].replace(/\n$/, "");
      if (value.length + k.length + 2 > maxAnnotationLen || value.includes("\n")) {
        this.write(0, `${lead}${k}:\n`);
        for (const s of value.split("\n")) this.write(0, `${indent}\t  ${shorten(s, maxAnnotationLen - 2)}\n`);
      } else {
        this.write(0, `${lead}${k}: ${value}\n`);
      }
    });
  }

  toString(): string {
    this.flush();
    return this.done;
  }
}

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

/** A timestamp in Go's RFC1123Z layout, local time ("Mon, 02 Jan 2006 15:04:05 -0700"); "<unknown>" when absent. */
export function formatTime(ts: string | undefined | null): string {
  if (!ts) return "<unknown>";
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? "-" : "+";
  const abs = Math.abs(off);
  return `${days[d.getDay()]}, ${two(d.getDate())} ${months[d.getMonth()]} ${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${sign}${two(Math.trunc(abs / 60))}${two(abs % 60)}`;
}
