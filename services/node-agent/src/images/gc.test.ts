import { describe, expect, it } from "vitest";
import { bytesToFree, ImageTracker, planGc, validateGcPolicy, type ImageGcPolicy } from "./gc.js";
import { ImageManager, nodeImages } from "./manager.js";
import type { ImageFsStats, ImageRuntime, RuntimeImage } from "./runtime.js";

const MB = 1024 * 1024;
const img = (id: string, sizeMB: number, tags = [`app/${id}:1`]): RuntimeImage => ({
  id: `sha256:${id}`,
  tags,
  digests: [],
  sizeBytes: sizeMB * MB,
  created: "2026-01-01T00:00:00Z",
});
const policy: ImageGcPolicy = { highThresholdPercent: 85, lowThresholdPercent: 80, minAgeMs: 120_000 };

describe("bytesToFree", () => {
  it("is 0 below the high threshold and frees down to the low one above it", () => {
    const cap = 1000 * MB;
    expect(bytesToFree({ capacityBytes: cap, availableBytes: 200 * MB }, policy)).toBe(0); // 80 % used
    expect(bytesToFree({ capacityBytes: cap, availableBytes: 151 * MB }, policy)).toBe(0); // 84.9 %
    expect(bytesToFree({ capacityBytes: cap, availableBytes: 150 * MB }, policy)).toBe(50 * MB); // 85 % → 80 %
    expect(bytesToFree({ capacityBytes: cap, availableBytes: 50 * MB }, policy)).toBe(150 * MB); // 95 %
  });
  it("never runs with a high threshold of 100", () => {
    expect(bytesToFree({ capacityBytes: 1000, availableBytes: 0 }, { ...policy, highThresholdPercent: 100 })).toBe(0);
  });
});

describe("validateGcPolicy", () => {
  it("rejects a low threshold above the high one and out-of-range values", () => {
    expect(validateGcPolicy(policy)).toEqual([]);
    expect(validateGcPolicy({ ...policy, lowThresholdPercent: 90 })).toEqual([
      "--image-gc-low-threshold (90) must be less than or equal to --image-gc-high-threshold (85)",
    ]);
    expect(validateGcPolicy({ ...policy, highThresholdPercent: 120, lowThresholdPercent: 80 })[0]).toMatch(/high-threshold: must be from 0 to 100, got 120/);
  });
});

describe("planGc", () => {
  const t0 = 1_000_000_000;
  it("removes unused images least recently used first, then oldest detected, until enough is freed", () => {
    const tracker = new ImageTracker();
    const images = [img("a", 100), img("b", 100), img("c", 100), img("d", 100)];
    // b used at t0, then c used at t0+10s; a and d never used (d detected later).
    tracker.detect(images.slice(0, 3), new Set(["sha256:b"]), t0);
    tracker.detect(images.slice(0, 3), new Set(["sha256:c"]), t0 + 10_000);
    const recs = tracker.detect(images, new Set(), t0 + 20_000);
    const now = t0 + 600_000;
    const order = planGc(recs, new Set(), new Set(), 400 * MB, now, 120_000).remove.map((r) => r.image.id);
    expect(order).toEqual(["sha256:a", "sha256:d", "sha256:b", "sha256:c"]);
    const some = planGc(recs, new Set(), new Set(), 150 * MB, now, 120_000);
    expect(some.remove.map((r) => r.image.id)).toEqual(["sha256:a", "sha256:d"]);
    expect(some.freedBytes).toBe(200 * MB);
    expect(some.shortBytes).toBe(0);
  });

  it("never removes an image in use, a pinned image, or one first seen less than minAge ago", () => {
    const tracker = new ImageTracker();
    const recs = tracker.detect([img("used", 500), img("pause", 1), img("old", 10), img("fresh", 300)], new Set(["sha256:used"]), t0);
    tracker.detect([img("fresh", 300)], new Set(), t0); // no-op: still tracked from the call above
    const all = tracker.detect([img("used", 500), img("pause", 1), img("old", 10), img("fresh", 300)], new Set(["sha256:used"]), t0 + 200_000);
    expect(all).toHaveLength(recs.length);
    // "fresh" re-detected: make it young by tracking it anew.
    const t2 = new ImageTracker();
    t2.detect([img("used", 500), img("pause", 1), img("old", 10)], new Set(["sha256:used"]), t0);
    const r2 = t2.detect([img("used", 500), img("pause", 1), img("old", 10), img("fresh", 300)], new Set(["sha256:used"]), t0 + 200_000);
    const plan = planGc(r2, new Set(["sha256:used"]), new Set(["sha256:pause"]), 1000 * MB, t0 + 250_000, 120_000);
    expect(plan.remove.map((r) => r.image.id)).toEqual(["sha256:old"]);
    expect(plan.shortBytes).toBe(990 * MB);
  });

  it("frees nothing when nothing is needed", () => {
    const recs = new ImageTracker().detect([img("a", 10)], new Set(), 0);
    expect(planGc(recs, new Set(), new Set(), 0, 10_000_000, 0).remove).toEqual([]);
  });
});

/** An engine in memory whose filesystem shrinks as images are removed. */
class FakeImages implements ImageRuntime {
  removed: string[] = [];
  constructor(
    public images: RuntimeImage[],
    public used: Set<string>,
    private readonly capacity: number,
    private otherBytes: number,
  ) {}
  async list() {
    return this.images;
  }
  async inspect(name: string) {
    const i = this.images.find((x) => x.tags.includes(name) || x.id === name);
    return i && { id: i.id, sizeBytes: i.sizeBytes };
  }
  async pull() {}
  async load() {
    return "";
  }
  async remove(id: string) {
    if (this.used.has(id)) throw new Error("conflict: image is being used by a container");
    this.images = this.images.filter((i) => i.id !== id);
    this.removed.push(id);
  }
  async inUse() {
    return this.used;
  }
  async fsStats(): Promise<ImageFsStats> {
    const used = this.otherBytes + this.images.reduce((a, i) => a + i.sizeBytes, 0);
    return { capacityBytes: this.capacity, availableBytes: this.capacity - used };
  }
}

describe("ImageManager.collect", () => {
  const quiet = {
    info() {},
    warn() {},
    debug() {},
    error() {},
    child() {
      return quiet;
    },
  } as never;
  it("removes unused images oldest first down to the low threshold, keeping used and pinned ones", async () => {
    // 1000 MB disk, 500 MB of other data + 400 MB of images = 90 % used.
    const fake = new FakeImages(
      [img("pause", 1, ["skiff/pause:3.9"]), img("web", 99), img("old1", 100), img("old2", 100), img("old3", 100)],
      new Set(["sha256:web"]),
      1000 * MB,
      500 * MB,
    );
    const events: string[] = [];
    const mgr = new ImageManager(
      {
        images: fake,
        recorder: { record: (_o: unknown, _t: string, reason: string) => events.push(reason) } as never,
        log: quiet,
        node: () => ({ metadata: { name: "n1" } }) as never,
      },
      { ...policy, minAgeMs: 0, periodMs: 1000, pinned: ["skiff/pause:3.9"] },
    );
    const r = await mgr.collect(1000);
    expect(r.usagePercent).toBe(90);
    expect(r.needed).toBe(100 * MB);
    expect(fake.removed).toEqual(["sha256:old1"]);
    expect((await fake.fsStats()).availableBytes).toBe(200 * MB);
    expect(events).toEqual([]);
    // Nothing left to free but in-use and pinned images: it says so on the Node.
    fake.images.push(img("huge", 0));
    const fill = new FakeImages(fake.images, fake.used, 1000 * MB, 790 * MB);
    const m2 = new ImageManager(
      {
        images: fill,
        recorder: { record: (_o: unknown, _t: string, reason: string, msg: string) => events.push(`${reason}: ${msg}`) } as never,
        log: quiet,
        node: () => ({ metadata: { name: "n1" } }) as never,
      },
      { ...policy, minAgeMs: 0, periodMs: 1000, pinned: ["skiff/pause:3.9"] },
    );
    const r2 = await m2.collect(1000);
    expect(fill.images.map((i) => i.id)).toEqual(["sha256:pause", "sha256:web"]);
    // Same first-detected time and never used: ties go by id.
    expect(r2.removed.map((x) => x.id)).toEqual(["sha256:huge", "sha256:old2", "sha256:old3"]);
    expect(events[0]).toMatch(
      /^FreeDiskSpaceFailed: Failed to garbage collect required amount of images\. Attempted to free \d+ bytes, but only found \d+ bytes eligible to free\.$/,
    );
  });

  it("does nothing with GC disabled (high threshold 100)", async () => {
    const fake = new FakeImages([img("a", 900)], new Set(), 1000 * MB, 90 * MB);
    const mgr = new ImageManager(
      { images: fake, recorder: { record() {} } as never, log: quiet, node: () => undefined },
      { ...policy, highThresholdPercent: 100, minAgeMs: 0, periodMs: 1000, pinned: [] },
    );
    await mgr.collect(1000);
    expect(fake.removed).toEqual([]);
  });
});

describe("nodeImages", () => {
  it("lists images as the kubelet reports them: largest first, digests then tags, at most 5 names and 50 images", () => {
    const many = Array.from({ length: 60 }, (_, i) => img(`i${i}`, i + 1));
    many[59] = { ...many[59], digests: ["r/x@sha256:1"], tags: ["r/x:1", "r/x:2", "r/x:3", "r/x:4", "r/x:5"] };
    const out = nodeImages(many);
    expect(out).toHaveLength(50);
    expect(out[0]).toEqual({ names: ["r/x@sha256:1", "r/x:1", "r/x:2", "r/x:3", "r/x:4"], sizeBytes: 60 * MB });
    expect(out[49].sizeBytes).toBe(11 * MB);
  });
});
