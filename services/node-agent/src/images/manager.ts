// The node's images: keeps the list the Node reports (status.images, as the kubelet reports
// them: largest first, at most 50, digests then tags, at most 5 names each) and runs image
// garbage collection every period (gc.ts), recording ImageGCFailed / FreeDiskSpaceFailed on
// the Node when it cannot free enough.
import type { Logger } from "@skiff/log";
import type { KObject } from "@skiff/api";
import type { EventRecorder } from "@skiff/client";
import { bytesToFree, planGc, ImageTracker, type ImageGcPolicy } from "./gc.js";
import type { ImageRuntime, RuntimeImage } from "./runtime.js";

/** One entry of Node status.images. */
export interface ContainerImage {
  names: string[];
  sizeBytes: number;
}

/** The kubelet's nodeStatusMaxImages and maxNamesPerImageInNodeStatus. */
export const maxNodeImages = 50;
const maxNamesPerImage = 5;

/** status.images from the engine's images. */
export function nodeImages(images: RuntimeImage[]): ContainerImage[] {
  return [...images]
    .sort((a, b) => b.sizeBytes - a.sizeBytes || a.id.localeCompare(b.id))
    .slice(0, maxNodeImages)
    .map((i) => ({ names: [...i.digests, ...i.tags].slice(0, maxNamesPerImage), sizeBytes: i.sizeBytes }));
}

export interface ImageManagerDeps {
  images: ImageRuntime;
  recorder: EventRecorder;
  log: Logger;
  /** The Node object, for GC events. */
  node: () => KObject | undefined;
}

export interface ImageManagerOptions extends ImageGcPolicy {
  periodMs: number;
  /** Images never removed (the pod sandbox). */
  pinned: string[];
}

/** Result of one GC pass (for logs and tests). */
export interface GcResult {
  usagePercent?: number;
  needed: number;
  removed: { id: string; names: string[]; sizeBytes: number }[];
  failed: string[];
}

export class ImageManager {
  private readonly tracker = new ImageTracker();
  private timer?: NodeJS.Timeout;
  private list: ContainerImage[] = [];
  private running?: Promise<unknown>;

  constructor(
    private readonly deps: ImageManagerDeps,
    private readonly opts: ImageManagerOptions,
  ) {}

  /** Reads the images once, then refreshes them and collects garbage every period. */
  async start(): Promise<void> {
    await this.refresh().catch((err) => this.deps.log.warn({ err }, "cannot list images"));
    this.timer = setInterval(() => void this.tick(), this.opts.periodMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The latest status.images. */
  nodeImages(): ContainerImage[] {
    return this.list;
  }

  /** Re-reads the engine's images (after a pull or a load). */
  async refresh(): Promise<RuntimeImage[]> {
    const images = await this.deps.images.list();
    this.list = nodeImages(images);
    return images;
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.collect()
      .catch((err) => this.deps.log.warn({ err }, "image garbage collection failed"))
      .finally(() => (this.running = undefined));
  }

  /** One GC pass: track usage, and when the image filesystem is over the high threshold, remove images down to the low one. */
  async collect(now = Date.now()): Promise<GcResult> {
    const { images: rt, log } = this.deps;
    const images = await this.refresh();
    const inUse = await rt.inUse();
    const records = this.tracker.detect(images, inUse, now);
    const result: GcResult = { needed: 0, removed: [], failed: [] };
    if (this.opts.highThresholdPercent >= 100) return result;
    const fs = await rt.fsStats();
    if (!fs) return result;
    result.usagePercent = Math.round(100 - (fs.availableBytes * 100) / fs.capacityBytes);
    result.needed = bytesToFree(fs, this.opts);
    if (!result.needed) return result;
    const pinned = new Set<string>();
    for (const name of this.opts.pinned) {
      const id = (await rt.inspect(name).catch(() => undefined))?.id;
      if (id) pinned.add(id);
    }
    const plan = planGc(records, inUse, pinned, result.needed, now, this.opts.minAgeMs);
    log.info(
      { usagePercent: result.usagePercent, highThresholdPercent: this.opts.highThresholdPercent, bytesToFree: result.needed, images: plan.remove.length },
      "image filesystem over the high threshold: removing unused images",
    );
    let freed = 0;
    for (const r of plan.remove) {
      const names = [...r.image.tags, ...r.image.digests];
      try {
        await rt.remove(r.image.id);
        freed += r.image.sizeBytes;
        result.removed.push({ id: r.image.id, names, sizeBytes: r.image.sizeBytes });
        log.info({ image: names[0] ?? r.image.id, sizeBytes: r.image.sizeBytes }, "removed unused image");
      } catch (err) {
        // In use after all (a pod started it since the list): it stays, as it must.
        result.failed.push(r.image.id);
        log.info({ err, image: names[0] ?? r.image.id }, "image not removed");
      }
    }
    const node = this.deps.node();
    if (freed < result.needed && node) {
      this.deps.recorder.record(
        node,
        "Warning",
        "FreeDiskSpaceFailed",
        `Failed to garbage collect required amount of images. Attempted to free ${result.needed} bytes, but only found ${freed} bytes eligible to free.`,
      );
    }
    if (result.removed.length) await this.refresh();
    return result;
  }
}
