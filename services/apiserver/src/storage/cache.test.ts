import { describe, expect, it } from "vitest";
import { compileFilter, WatchCache } from "./cache.js";
import type { StoreEvent } from "./store.js";
import type { WatchIndex } from "./types.js";

const v = (s: string) => new TextEncoder().encode(s);
const ev = (type: StoreEvent["type"], key: string, revision: number): StoreEvent => ({ type, key, revision, value: v(`${key}@${revision}`) });
const names = (es: StoreEvent[]) => es.map((e) => `${e.type} ${e.key} ${e.revision}`);

function cache(now = { t: 0 }, maxEvents = 100, windowMs = 60_000): WatchCache {
  return new WatchCache({ maxEvents, windowMs, now: () => now.t });
}

describe("compileFilter", () => {
  it("matches NATS-style key filters", () => {
    expect(compileFilter("pods.>")("pods.default.a")).toBe(true);
    expect(compileFilter("pods.>")("pods")).toBe(false);
    expect(compileFilter("pods.default.>")("pods.other.a")).toBe(false);
    expect(compileFilter("pods.*.a")("pods.x.a")).toBe(true);
    expect(compileFilter("pods.default.a")("pods.default.a")).toBe(true);
    expect(compileFilter("pods.default.a")("pods.default.a.b")).toBe(false);
    expect(compileFilter("podtemplates.>")("pods.default.a")).toBe(false);
    expect(compileFilter("pods.>")("podsx.a")).toBe(false);
    expect(compileFilter("pods.default.a")("pods.default.ab")).toBe(false);
    expect(compileFilter(">")("anything.at.all")).toBe(true);
  });
});

describe("WatchCache", () => {
  it("lists the live objects under a filter, without deleted or purged ones", () => {
    const c = cache();
    c.reset(0);
    c.apply(ev("ADDED", "pods.default.a", 1));
    c.apply(ev("ADDED", "pods.other.b", 2));
    c.apply(ev("ADDED", "services.default.a", 3));
    c.apply(ev("MODIFIED", "pods.default.a", 4));
    c.apply(ev("ADDED", "pods.default.c", 5));
    c.apply(ev("DELETED", "pods.default.c", 6));
    expect(
      c
        .list("pods.>")
        .map((e) => `${e.key}@${e.revision}`)
        .sort(),
    ).toEqual(["pods.default.a@4", "pods.other.b@2"]);
    expect(c.list("pods.default.>").map((e) => e.key)).toEqual(["pods.default.a"]);
    expect(c.list(">").length).toBe(3);
    c.apply({ type: "PURGED", key: "pods.other.b", revision: 7 });
    expect(c.list("pods.>").map((e) => e.key)).toEqual(["pods.default.a"]);
    expect(c.revision).toBe(7);
  });

  it("replays every event after a revision inside its window, then streams live ones in order", () => {
    const c = cache();
    c.reset(10);
    c.apply(ev("ADDED", "pods.default.old", 5)); // the snapshot: at or below the floor, no event
    c.apply(ev("ADDED", "pods.default.a", 11));
    c.apply(ev("MODIFIED", "pods.default.a", 12));
    c.apply(ev("ADDED", "services.default.s", 13));
    const got: StoreEvent[] = [];
    const stop = c.watch(
      "pods.>",
      11,
      (e) => got.push(e),
      () => undefined,
    )!;
    expect(stop).toBeTypeOf("function");
    c.apply(ev("DELETED", "pods.default.a", 14));
    expect(names(got)).toEqual(["MODIFIED pods.default.a 12", "DELETED pods.default.a 14"]);
    stop();
    c.apply(ev("ADDED", "pods.default.b", 15));
    expect(got.length).toBe(2);
  });

  it("declines a watch from before its window: below the floor, or past the count or time window", () => {
    const now = { t: 0 };
    const c = cache(now, 3, 1000);
    c.reset(10);
    expect(
      c.watch(
        "pods.>",
        9,
        () => undefined,
        () => undefined,
      ),
    ).toBeUndefined();
    expect(
      c.watch(
        "pods.>",
        10,
        () => undefined,
        () => undefined,
      ),
    ).toBeTypeOf("function");
    for (let r = 11; r <= 15; r++) c.apply(ev("ADDED", `pods.default.p${r}`, r));
    // Only the last 3 events are kept: a watch must start at 12 or later.
    expect(
      c.watch(
        "pods.>",
        11,
        () => undefined,
        () => undefined,
      ),
    ).toBeUndefined();
    expect(
      c.watch(
        "pods.>",
        12,
        () => undefined,
        () => undefined,
      ),
    ).toBeTypeOf("function");
    now.t = 5000;
    expect(
      c.watch(
        "pods.>",
        12,
        () => undefined,
        () => undefined,
      ),
    ).toBeUndefined();
    expect(
      c.watch(
        "pods.>",
        15,
        () => undefined,
        () => undefined,
      ),
    ).toBeTypeOf("function");
  });

  it("gives each event the key's previous value when it had one", () => {
    const c = cache();
    c.reset(0);
    const got: StoreEvent[] = [];
    c.watch(
      "pods.>",
      0,
      (e) => got.push(e),
      () => undefined,
    );
    c.apply(ev("ADDED", "pods.default.a", 1));
    c.apply(ev("MODIFIED", "pods.default.a", 2));
    c.apply(ev("DELETED", "pods.default.a", 3));
    c.apply(ev("ADDED", "pods.default.a", 4));
    expect(got.map((e) => e.prevValue && new TextDecoder().decode(e.prevValue))).toEqual([undefined, "pods.default.a@1", "pods.default.a@2", undefined]);
  });

  it("skips live events a watch from a newer revision has already seen", () => {
    const c = cache();
    c.reset(0);
    const got: StoreEvent[] = [];
    c.watch(
      "pods.>",
      3,
      (e) => got.push(e),
      () => undefined,
    );
    for (let r = 1; r <= 4; r++) c.apply(ev("ADDED", `pods.default.p${r}`, r));
    expect(names(got)).toEqual(["ADDED pods.default.p4 4"]);
  });

  it("resolves waiters once a revision is applied, and fails them and its watches when the consumer breaks", async () => {
    const c = cache();
    expect(await c.waitFor(1, 10)).toBe(false); // not started
    c.reset(0);
    const waiting = c.waitFor(2, 5000);
    c.apply(ev("ADDED", "pods.default.a", 1));
    c.apply(ev("ADDED", "pods.default.b", 2));
    expect(await waiting).toBe(true);
    expect(await c.waitFor(3, 20)).toBe(false);
    const errors: Error[] = [];
    c.watch(
      "pods.>",
      2,
      () => undefined,
      (e) => errors.push(e),
    );
    const pending = c.waitFor(9, 5000);
    c.fail(new Error("consumer gone"));
    expect(await pending).toBe(false);
    expect(errors.map((e) => e.message)).toEqual(["consumer gone"]);
    expect(c.watcherCount).toBe(0);
    expect(
      c.watch(
        "pods.>",
        2,
        () => undefined,
        () => undefined,
      ),
    ).toBeUndefined();
    // A restart begins again from the stream's whole content.
    c.reset(2);
    c.apply(ev("ADDED", "pods.default.a", 1));
    expect(c.list("pods.>").map((e) => e.key)).toEqual(["pods.default.a"]);
  });
});

describe("WatchCache indexed watchers", () => {
  // A value "node|key@rev" gives the node; "?" an event whose node cannot be told.
  const at = (node: string, key: string, revision: number, type: StoreEvent["type"] = "MODIFIED", prevNode?: string): StoreEvent => ({
    type,
    key,
    revision,
    value: v(node),
    ...(prevNode !== undefined ? { prevValue: v(prevNode) } : {}),
  });
  const dec = new TextDecoder();
  const of = (e: StoreEvent) => {
    const now = dec.decode(e.value);
    if (now === "?") return undefined;
    return e.prevValue ? [now, dec.decode(e.prevValue)] : [now];
  };
  const idx = (value: string): WatchIndex => ({ name: "pods/spec.nodeName", value, of });

  it("hands each event only to the watchers of the node it has or had, and unindexed ones get all", () => {
    const c = cache();
    c.reset(0);
    const got: Record<string, string[]> = { a: [], b: [], unbound: [], all: [] };
    const record = (name: string, index?: WatchIndex) =>
      c.watch(
        "pods.>",
        0,
        (e) => got[name].push(`${e.key}@${e.revision}`),
        () => undefined,
        index,
      );
    record("a", idx("node-a"));
    record("b", idx("node-b"));
    record("unbound", idx(""));
    record("all");
    c.apply(at("", "pods.default.p", 1, "ADDED"));
    c.apply(at("node-a", "pods.default.p", 2, "MODIFIED", "")); // bound to node-a
    c.apply(at("node-b", "pods.default.q", 3, "ADDED"));
    c.apply(at("node-a", "pods.default.p", 4, "DELETED", "node-a"));
    c.apply(at("?", "pods.default.r", 5, "ADDED")); // unknown: every indexed watcher
    expect(got).toEqual({
      a: ["pods.default.p@2", "pods.default.p@4", "pods.default.r@5"],
      b: ["pods.default.q@3", "pods.default.r@5"],
      unbound: ["pods.default.p@1", "pods.default.p@2", "pods.default.r@5"],
      all: ["pods.default.p@1", "pods.default.p@2", "pods.default.q@3", "pods.default.p@4", "pods.default.r@5"],
    });
  });

  it("keeps key filters and start revisions, replays the window through the watcher's filter, and stops cleanly", () => {
    const c = cache();
    c.reset(0);
    c.apply(at("node-a", "pods.default.p", 1, "ADDED"));
    c.apply(at("node-b", "pods.default.q", 2, "ADDED"));
    const got: string[] = [];
    const index = idx("node-a");
    // Resumed from revision 1: the window replays what comes after it (q too: the watch's own filter judges).
    const stop = c.watch(
      "pods.default.>",
      1,
      (e) => got.push(`${e.key}@${e.revision}`),
      () => undefined,
      index,
    );
    c.apply(at("node-a", "pods.other.x", 3, "ADDED")); // another namespace
    c.apply(at("node-a", "pods.default.p", 4, "MODIFIED", "node-a"));
    expect(got).toEqual(["pods.default.q@2", "pods.default.p@4"]);
    // Bookmarks read the cache's revision: every event up to it has been handed out.
    expect(index.revision?.()).toBe(4);
    expect(c.watcherCount).toBe(1);
    expect(c.stats().watchers).toEqual([["pods", 1]]);
    stop?.();
    stop?.();
    expect(c.watcherCount).toBe(0);
    c.apply(at("node-a", "pods.default.p", 5, "MODIFIED", "node-a"));
    expect(got).toHaveLength(2);
  });

  it("ends indexed watchers too when the consumer fails", () => {
    const c = cache();
    c.reset(0);
    const errors: string[] = [];
    for (const index of [idx("node-a"), undefined]) {
      c.watch(
        "pods.>",
        0,
        () => undefined,
        (e) => errors.push(e.message),
        index,
      );
    }
    c.fail(new Error("consumer gone"));
    expect(errors).toEqual(["consumer gone", "consumer gone"]);
    expect(c.watcherCount).toBe(0);
  });
});
