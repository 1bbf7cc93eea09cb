import { describe, expect, it } from "vitest";
import type { KObj } from "./types.js";
import { ListWatch, ObjectCache } from "./watch.js";
import { parseRoute, formatRoute } from "./route.js";

const obj = (name: string, rv: string, extra: object = {}): KObj => ({ metadata: { name, namespace: "default", resourceVersion: rv }, ...extra });
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
/** A watch response that streams these events (split mid-line, as the network does) and ends. */
const stream = (events: object[]) => {
  const text = events.map((e) => `${JSON.stringify(e)}\n`).join("");
  const enc = new TextEncoder().encode(text);
  const cut = Math.floor(enc.length / 2);
  return new Response(
    new ReadableStream({
      start(c) {
        c.enqueue(enc.slice(0, cut));
        c.enqueue(enc.slice(cut));
        c.close();
      },
    }),
    { status: 200 },
  );
};

describe("ObjectCache", () => {
  it("applies added, modified and deleted events and follows bookmarks' resourceVersion", () => {
    const c = new ObjectCache();
    c.replace([obj("a", "1")], "5");
    expect(c.apply({ type: "ADDED", object: obj("b", "6") })).toBe("changed");
    expect(c.apply({ type: "MODIFIED", object: obj("a", "7", { spec: { x: 1 } }) })).toBe("changed");
    expect(c.list().map((o) => o.metadata.name)).toEqual(["a", "b"]);
    expect(c.list()[0].spec).toEqual({ x: 1 });
    expect(c.apply({ type: "DELETED", object: obj("b", "8") })).toBe("changed");
    expect(c.apply({ type: "BOOKMARK", object: obj("", "12") })).toBe("bookmark");
    expect(c.resourceVersion).toBe("12");
    expect(c.list().map((o) => o.metadata.name)).toEqual(["a"]);
    expect(c.apply({ type: "ERROR", object: { metadata: { name: "" }, code: 410 } })).toBe("relist");
  });
});

describe("ListWatch", () => {
  it("lists, watches from the list's resourceVersion, resumes from the bookmark, and relists on 410 Gone", async () => {
    const urls: string[] = [];
    const answers: (() => Response)[] = [
      () => json({ metadata: { resourceVersion: "10" }, items: [obj("a", "9")] }),
      () =>
        stream([
          { type: "ADDED", object: obj("b", "11") },
          { type: "BOOKMARK", object: { metadata: { resourceVersion: "15" } } },
        ]),
      () => stream([{ type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired", message: "too old resource version" } }]),
      () => json({ metadata: { resourceVersion: "30" }, items: [obj("c", "29")] }),
      () => json({ kind: "Status", code: 410 }, 410),
      () => json({ metadata: { resourceVersion: "40" }, items: [obj("c", "29"), obj("d", "40")] }),
    ];
    const seen: string[][] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const lw = new ListWatch({
      path: "/api/v1/namespaces/default/pods",
      fetch: async (url) => {
        urls.push(url);
        const next = answers.shift();
        if (!next) {
          done();
          return new Promise<Response>(() => undefined);
        }
        return next();
      },
      onChange: (items) => seen.push(items.map((o) => o.metadata.name)),
      retryMs: 1,
    }).start();
    await finished;
    lw.stop();
    const q = (u: string) => Object.fromEntries(new URL(u, "https://x").searchParams);
    expect(q(urls[0])).toEqual({});
    expect(q(urls[1])).toMatchObject({ watch: "1", resourceVersion: "10", allowWatchBookmarks: "true" });
    expect(q(urls[2])).toMatchObject({ watch: "1", resourceVersion: "15" }); // resumed after the stream ended, from the bookmark
    expect(q(urls[3])).toEqual({}); // ERROR 410 event → relist
    expect(q(urls[4])).toMatchObject({ watch: "1", resourceVersion: "30" });
    expect(q(urls[5])).toEqual({}); // HTTP 410 → relist
    expect(q(urls[6])).toMatchObject({ watch: "1", resourceVersion: "40" });
    expect(seen).toEqual([["a"], ["a", "b"], ["c"], ["c", "d"]]);
    expect(lw.lists).toBe(3);
  });

  it("reports a refusal (403) and keeps retrying", async () => {
    const errors: string[] = [];
    let calls = 0;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const lw = new ListWatch({
      path: "/api/v1/secrets",
      fetch: async () => {
        if (++calls === 3) done();
        return json({ kind: "Status", code: 403, reason: "Forbidden", message: 'secrets is forbidden: User "u" cannot list resource "secrets"' }, 403);
      },
      onChange: () => undefined,
      onError: (e) => {
        if (e) errors.push(e.message);
      },
      retryMs: 1,
    }).start();
    await finished;
    lw.stop();
    expect(errors[0]).toBe('secrets is forbidden: User "u" cannot list resource "secrets"');
    expect(calls).toBeGreaterThanOrEqual(3);
  });
});

describe("deep links", () => {
  it("round-trips views, objects and tabs", () => {
    for (const r of [
      { view: "pods", ns: "default", name: "web-1", tab: "logs" },
      { view: "nodes", name: "n1" },
      { view: "yaml", ns: "-", name: "nodes/n1" },
    ]) {
      expect(parseRoute(formatRoute(r))).toEqual(r);
    }
    expect(parseRoute("")).toEqual({ view: "overview" });
  });
});
