import { describe, expect, it } from "vitest";
import { PriorityLevel, parseGoDuration } from "./flowcontrol.js";

const never = new Promise<void>(() => undefined);

describe("priority level", () => {
  it("serves up to maxInflight at once, queues the rest and dispatches flows round-robin", async () => {
    const level = new PriorityLevel("t", { maxInflight: 2, queueLengthPerFlow: 10, queueWaitMs: 10_000 });
    const r1 = await level.acquire("flood", never);
    const r2 = await level.acquire("flood", never);
    const order: string[] = [];
    const waits = [
      ...[1, 2, 3].map((i) =>
        level.acquire("flood", never).then((r) => {
          order.push(`flood${i}`);
          return r;
        }),
      ),
      level.acquire("quiet", never).then((r) => {
        order.push("quiet");
        return r;
      }),
    ];
    expect(level.executing).toBe(2);
    r1();
    r1(); // releasing twice frees one slot only
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(["flood1"]);
    r2();
    await new Promise((r) => setImmediate(r));
    // The quiet client's one request goes before the flood's second and third.
    expect(order).toEqual(["flood1", "quiet"]);
    for (const w of waits.slice(0, 2)) (await w)();
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(["flood1", "quiet", "flood2", "flood3"]);
  });

  it("refuses a flow's request over its queue length, and one that waited too long, with 429 Retry-After", async () => {
    const level = new PriorityLevel("t", { maxInflight: 1, queueLengthPerFlow: 1, queueWaitMs: 50 });
    await level.acquire("a", never);
    const queued = level.acquire("a", never);
    const over = await level.acquire("a", never).then(
      () => undefined,
      (e) => e,
    );
    expect(over).toMatchObject({ code: 429, reason: "TooManyRequests", details: { retryAfterSeconds: 1 } });
    expect(
      (
        await queued.then(
          () => undefined,
          (e) => e,
        )
      ).message,
    ).toMatch(/waited too long/);
    expect(level.rejected).toBe(2);
  });

  it("drops a queued request whose client left", async () => {
    const level = new PriorityLevel("t", { maxInflight: 1, queueLengthPerFlow: 5, queueWaitMs: 10_000 });
    const release = await level.acquire("a", never);
    let leave!: () => void;
    const gone = level.acquire("a", new Promise<void>((r) => (leave = r))).then(
      () => "granted",
      () => "dropped",
    );
    const next = level.acquire("b", never).then(() => "granted");
    leave();
    expect(await gone).toBe("dropped");
    release();
    expect(await next).toBe("granted");
  });
});

describe("Go durations", () => {
  it("parses the timeout parameter's forms", () => {
    expect(parseGoDuration("30s")).toBe(30_000);
    expect(parseGoDuration("1m30s")).toBe(90_000);
    expect(parseGoDuration("250ms")).toBe(250);
    expect(parseGoDuration("30")).toBeUndefined();
  });
});
