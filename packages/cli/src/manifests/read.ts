// Reads the manifests named by -f: files, directories (their .yaml/.yml/.json files, in
// name order), `-` for stdin, and http(s) URLs.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "../cli/errors.js";
import { parseManifests, type Manifest } from "./parse.js";

const manifestFile = /\.(ya?ml|json)$/i;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Paths of the manifest files in a directory (recursing when asked). */
function filesIn(dir: string, recursive: boolean): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (recursive) out.push(...filesIn(p, recursive));
    } else if (manifestFile.test(e.name)) {
      out.push(p);
    }
  }
  return out;
}

/** Reads and parses every manifest named by the -f values. */
export async function readManifests(paths: string[], opts: { recursive?: boolean; verb?: string } = {}): Promise<Manifest[]> {
  if (paths.length === 0) throw new CliError("must specify one of -f and -k");
  const out: Manifest[] = [];
  for (const p of paths) {
    if (p === "-") {
      out.push(...parseManifests(await readStdin(), "STDIN"));
      continue;
    }
    if (/^https?:\/\//.test(p)) {
      const res = await fetch(p);
      if (!res.ok) throw new CliError(`unable to read URL "${p}", server reported ${res.status} ${res.statusText}, status code=${res.status}`);
      out.push(...parseManifests(await res.text(), p));
      continue;
    }
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      throw new CliError(`the path "${p}" does not exist`);
    }
    const files = isDir ? filesIn(p, opts.recursive ?? false) : [p];
    for (const f of files) out.push(...parseManifests(readFileSync(f, "utf8"), f));
  }
  if (out.length === 0) throw new CliError(`no objects passed to ${opts.verb ?? "apply"}`);
  return out;
}
