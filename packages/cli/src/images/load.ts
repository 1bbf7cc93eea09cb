// `skiff image load`: one `docker save` of the host's images into a temporary archive, then
// that archive streamed into every node at once (docker exec or the node agents' LoadImage),
// skipping nodes that already hold the same image ids, reporting nodes that are down, with
// progress while it runs and a summary line per node at the end.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Output } from "../cli/context.js";
import { docker } from "../topology/docker.js";
import { NodeDownError, type NodeTarget } from "./targets.js";

/** What happened on one node. */
export interface NodeResult {
  node: string;
  result: "loaded" | "present" | "down" | "failed";
  /** Images sent (loaded) or found (present). */
  images: string[];
  bytes: number;
  ms: number;
  message: string;
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** The host engine's id of each image; fails naming the missing ones. */
export async function hostImageIds(images: string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const missing: string[] = [];
  for (const img of images) {
    const id = await docker(["image", "inspect", "-f", "{{.Id}}", img]).catch(() => "");
    if (id) ids.set(img, id);
    else missing.push(img);
  }
  if (missing.length)
    throw new Error(`image ${missing.join(", ")} not found in this host's Docker engine (docker images; build it with docker build -t NAME:TAG .)`);
  return ids;
}

/** Loads `images` (host ids in `ids`) into every target; resolves with one result per node. */
export async function loadImages(images: string[], ids: Map<string, string>, nodes: NodeTarget[], out: Output, tty: boolean): Promise<NodeResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "skiff-image-"));
  const archives = new Map<string, Promise<{ path: string; size: number }>>();
  // One archive per distinct set of missing images (usually one for all nodes).
  const archiveOf = (need: string[]) => {
    const key = need.join("\n");
    let a = archives.get(key);
    if (!a) {
      const path = join(dir, `${archives.size}.tar`);
      a = docker(["save", "-o", path, ...need], 600_000).then(() => ({ path, size: statSync(path).size }));
      archives.set(key, a);
    }
    return a;
  };
  const progress = new Map<string, string>();
  let lastPrint = 0;
  const show = (force = false) => {
    if (!tty || (!force && Date.now() - lastPrint < 250)) return;
    lastPrint = Date.now();
    out.write(`\r${[...progress].map(([n, p]) => `${n} ${p}`).join("  ")}\x1b[K`);
  };
  try {
    const results = await Promise.all(
      nodes.map(async (n): Promise<NodeResult> => {
        const t0 = Date.now();
        const base = { node: n.name, images, bytes: 0 };
        if (n.down) return { ...base, result: "down", ms: 0, message: n.down };
        try {
          const need: string[] = [];
          for (const img of images) if ((await n.imageId(img)) !== ids.get(img)) need.push(img);
          if (!need.length) return { ...base, result: "present", ms: Date.now() - t0, message: "already present with the same image id" };
          const a = await archiveOf(need);
          let step = 0;
          progress.set(n.name, "0%");
          const message = await n.load(a.path, need, (sent) => {
            const pct = Math.floor((sent * 100) / Math.max(1, a.size));
            progress.set(n.name, `${pct}%`);
            show();
            // Without a terminal: a line at each quarter.
            if (!tty && pct >= (step + 1) * 25 && pct < 100) {
              step = Math.floor(pct / 25);
              out.write(`${n.name}: ${mb(sent)} of ${mb(a.size)} sent\n`);
            }
          });
          progress.set(n.name, "done");
          show(true);
          // The engine must now hold exactly the host's ids.
          for (const img of need) {
            const got = await n.imageId(img);
            if (got !== ids.get(img)) throw new Error(`${img} has id ${got ?? "(none)"} on the node after the load, expected ${ids.get(img)}`);
          }
          return { ...base, images: need, result: "loaded", bytes: a.size, ms: Date.now() - t0, message: message.split("\n").filter(Boolean).join("; ") };
        } catch (err) {
          progress.set(n.name, "failed");
          return { ...base, result: err instanceof NodeDownError ? "down" : "failed", ms: Date.now() - t0, message: (err as Error).message };
        } finally {
          n.close?.();
        }
      }),
    );
    if (tty && progress.size) out.write("\n");
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The per-node summary lines. */
export function summary(results: NodeResult[]): string {
  const names = (imgs: string[]) => `Image${imgs.length > 1 ? "s" : ""} ${imgs.map((i) => `"${i}"`).join(", ")}`;
  return results
    .map((r) => {
      switch (r.result) {
        case "loaded":
          return `${names(r.images)} loaded into node ${r.node} (${mb(r.bytes)} in ${(r.ms / 1000).toFixed(1)}s)\n`;
        case "present":
          return `${names(r.images)} already present on node ${r.node} with the same image id (unchanged)\n`;
        case "down":
          return `${names(r.images)} NOT loaded into node ${r.node}: it is down (${r.message})\n`;
        default:
          return `${names(r.images)} NOT loaded into node ${r.node}: ${r.message}\n`;
      }
    })
    .join("");
}
