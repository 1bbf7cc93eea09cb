import { describe, expect, it } from "vitest";
import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Pod } from "@skiff/api";
import { formatLines, streamLogFile } from "./logs.js";
import { withoutMirrorPods } from "./filter.js";

const file = () => {
  const f = join(mkdtempSync(join(tmpdir(), "mirror-logs-")), "proxy.log");
  writeFileSync(f, ['{"level":30,"time":1700000000000,"msg":"a"}', '{"level":30,"time":1700000100000,"msg":"b"}', "plain c", ""].join("\n"));
  return f;
};
const read = async (f: string, o: Parameters<typeof streamLogFile>[1]) => {
  let out = "";
  await streamLogFile(
    f,
    o,
    (b) => (out += b.toString()),
    () => false,
  );
  return out;
};

describe("mirror pod logs (the node process's log file)", () => {
  it("sends the file, its last lines, at most limitBytes", async () => {
    const f = file();
    expect((await read(f, {})).split("\n")).toHaveLength(4);
    expect(await read(f, { tailLines: 1 })).toBe("plain c\n");
    expect(await read(f, { tailLines: 0 })).toBe("");
    expect(await read(f, { limitBytes: 5 })).toBe('{"lev');
  });

  it("prefixes each line with its log time, and filters by sinceSeconds", () => {
    const lines = ['{"time":1700000000000,"msg":"a"}', '{"time":1700000100000,"msg":"b"}'];
    expect(formatLines(lines, { timestamps: true }, 1700000200000)).toBe(`2023-11-14T22:13:20.000Z ${lines[0]}\n2023-11-14T22:15:00.000Z ${lines[1]}\n`);
    expect(formatLines(lines, { sinceSeconds: 150 }, 1700000200000)).toBe(`${lines[1]}\n`);
  });

  it("follows what is appended until cancelled", async () => {
    const f = file();
    let out = "";
    let stop = false;
    const done = streamLogFile(
      f,
      { follow: true, tailLines: 0, pollMs: 20 },
      (b) => (out += b.toString()),
      () => stop,
    );
    await new Promise((r) => setTimeout(r, 60));
    appendFileSync(f, "more\n");
    for (let i = 0; i < 100 && !out.includes("more"); i++) await new Promise((r) => setTimeout(r, 20));
    stop = true;
    await done;
    expect(out).toBe("more\n");
  });
});

describe("withoutMirrorPods", () => {
  it("hides mirror pods from the pod workers' view", () => {
    const mk = (name: string, mirror: boolean): Pod =>
      ({ metadata: { name, namespace: "ns", annotations: mirror ? { "kubernetes.io/config.mirror": "h" } : {} }, spec: { containers: [] } }) as unknown as Pod;
    const all = [mk("a", false), mk("m", true)];
    const seen: string[] = [];
    const view = withoutMirrorPods({
      get: (k) => all.find((p) => `ns/${p.metadata.name}` === k),
      list: () => all,
      waitForSync: async () => undefined,
      addHandlers: (h) => {
        for (const p of all) h.onAdd?.(p);
      },
    });
    view.addHandlers({ onAdd: (p) => seen.push(p.metadata.name!) });
    expect(view.list().map((p) => p.metadata.name)).toEqual(["a"]);
    expect(view.get("ns/m")).toBeUndefined();
    expect(view.get("ns/a")?.metadata.name).toBe("a");
    expect(seen).toEqual(["a"]);
  });
});
