// The kubelet's atomic writer: a volume directory's files are symlinks into `..data`, itself a
// symlink to a timestamped directory, so a new version appears to readers all at once (one
// rename) — and, the host directory being bind-mounted, inside running containers too.
import { lstat, mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile, chmod } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fsGroupMode, ownOne } from "./ownership.js";

/** One file of a projected volume. */
export interface Payload {
  content: Buffer;
  mode: number;
}

async function current(dir: string): Promise<{ target?: string; files: Map<string, Payload> }> {
  const files = new Map<string, Payload>();
  let target: string | undefined;
  try {
    target = await readlink(join(dir, "..data"));
  } catch {
    return { files };
  }
  const walk = async (rel: string) => {
    for (const e of await readdir(join(dir, target!, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else {
        const p = join(dir, target!, r);
        files.set(r, { content: await readFile(p), mode: (await lstat(p)).mode & 0o777 });
      }
    }
  };
  await walk("");
  return { target, files };
}

function same(a: Map<string, Payload>, b: Map<string, Payload>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const o = b.get(k);
    if (!o || o.mode !== v.mode || !o.content.equals(v.content)) return false;
  }
  return true;
}

/** Makes `dir` hold exactly `files` (relative paths); returns whether anything changed. */
export async function writeAtomic(dir: string, given: Map<string, Payload>, fsGroup?: number): Promise<boolean> {
  // fsGroup: every file readable by the group, every directory the group's (read-only volume).
  const files =
    fsGroup === undefined ? given : new Map([...given].map(([k, p]) => [k, { content: p.content, mode: fsGroupMode(p.mode, false, true) & 0o777 }]));
  await mkdir(dir, { recursive: true, mode: 0o755 });
  if (fsGroup !== undefined) await ownOne(dir, fsGroup, true);
  const cur = await current(dir);
  if (cur.target && same(cur.files, files)) return false;
  const version = `..${new Date().toISOString().replace(/[:.]/g, "_")}.${Math.random().toString(36).slice(2, 8)}`;
  const vdir = join(dir, version);
  for (const [rel, p] of files) {
    const f = join(vdir, rel);
    await mkdir(dirname(f), { recursive: true, mode: 0o755 });
    await writeFile(f, p.content);
    await chmod(f, p.mode);
    if (fsGroup !== undefined) {
      await ownOne(f, fsGroup, true);
      for (let d = dirname(f); d.length > dir.length; d = dirname(d)) await ownOne(d, fsGroup, true);
    }
  }
  await mkdir(vdir, { recursive: true, mode: 0o755 });
  if (fsGroup !== undefined) await ownOne(vdir, fsGroup, true);
  await rm(join(dir, "..data_tmp"), { force: true });
  await symlink(version, join(dir, "..data_tmp"));
  await rename(join(dir, "..data_tmp"), join(dir, "..data"));
  // Top-level names point through ..data, so they follow every later swap.
  const tops = new Set([...files.keys()].map((r) => r.split("/")[0]));
  for (const t of tops) {
    const link = join(dir, t);
    try {
      await lstat(link);
    } catch {
      await symlink(join("..data", t), link);
    }
  }
  for (const e of await readdir(dir)) {
    if (e.startsWith("..")) {
      if (e !== "..data" && e !== version) await rm(join(dir, e), { recursive: true, force: true });
    } else if (!tops.has(e)) {
      await rm(join(dir, e), { recursive: true, force: true });
    }
  }
  return true;
}
