// `kubectl logs` of a mirror pod: the log file of the node process it mirrors (its JSON log
// lines), with tailLines, sinceSeconds, timestamps, limitBytes and follow as for containers.
import { open, stat } from "node:fs/promises";

export interface FileLogOptions {
  follow?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
  limitBytes?: number;
  /** How often a followed file is checked for more (default 250 ms). */
  pollMs?: number;
}

/** A log line's time: the "time" of a JSON log line (epoch ms), else undefined. */
function lineTime(line: string): number | undefined {
  if (!line.startsWith("{")) return undefined;
  const m = /"time":(\d{10,})/.exec(line);
  return m ? Number(m[1]) : undefined;
}

/** Lines as they are sent: filtered by sinceSeconds, prefixed by a timestamp when asked. */
export function formatLines(lines: string[], o: FileLogOptions, now = Date.now()): string {
  const since = o.sinceSeconds ? now - o.sinceSeconds * 1000 : undefined;
  let out = lines;
  if (since !== undefined) out = out.filter((l) => (lineTime(l) ?? now) >= since);
  if (o.timestamps) out = out.map((l) => `${new Date(lineTime(l) ?? now).toISOString()} ${l}`);
  return out.map((l) => `${l}\n`).join("");
}

/** The complete lines of a text, the unfinished last one apart. */
function split(text: string): { lines: string[]; rest: string } {
  const parts = text.split("\n");
  return { lines: parts.slice(0, -1), rest: parts[parts.length - 1] };
}

/**
 * Streams `file` to `write`; resolves when done (not following), or runs until `cancelled()`
 * turns true (following). Throws when the file cannot be read.
 */
export async function streamLogFile(file: string, o: FileLogOptions, write: (b: Buffer) => void, cancelled: () => boolean): Promise<void> {
  let left = o.limitBytes && o.limitBytes > 0 ? o.limitBytes : Infinity;
  const send = (text: string): boolean => {
    if (!text || left <= 0) return left > 0;
    let b = Buffer.from(text);
    if (b.length > left) b = b.subarray(0, left);
    left -= b.length;
    write(b);
    return left > 0;
  };
  const fh = await open(file, "r");
  try {
    const { size } = await fh.stat();
    const all = (await fh.read(Buffer.alloc(size), 0, size, 0)).buffer.toString("utf8");
    let { lines, rest } = split(all);
    if (o.tailLines !== undefined && o.tailLines >= 0) lines = o.tailLines === 0 ? [] : lines.slice(-o.tailLines);
    if (!send(formatLines(lines, o)) || !o.follow) {
      if (!o.follow && rest) send(formatLines([rest], o).replace(/\n$/, ""));
      return;
    }
    let pos = size - Buffer.byteLength(rest);
    rest = "";
    while (!cancelled()) {
      await new Promise((r) => setTimeout(r, o.pollMs ?? 250));
      const now = (await stat(file).catch(() => undefined))?.size ?? pos;
      if (now < pos) pos = 0; // truncated: start over
      if (now === pos) continue;
      const chunk = (await fh.read(Buffer.alloc(now - pos), 0, now - pos, pos)).buffer.toString("utf8");
      pos = now;
      const s = split(rest + chunk);
      rest = s.rest;
      if (!send(formatLines(s.lines, { ...o, sinceSeconds: undefined }))) return;
    }
  } finally {
    await fh.close();
  }
}
