// Image garbage collection as the kubelet does it (pkg/kubelet/images/image_gc_manager.go):
// when the image filesystem is at or above the high threshold, remove unused images — least
// recently used first, then oldest detected — until usage is down to the low threshold.
// Images a container uses, pinned images (the pod sandbox) and images first seen less than
// minAge ago are never removed. Pure planning here; gc-loop.ts acts on the engine.
import type { ImageFsStats, RuntimeImage } from "./runtime.js";

/** The kubelet's flags: --image-gc-high-threshold (85), --image-gc-low-threshold (80), --minimum-image-ttl-duration (2m). */
export interface ImageGcPolicy {
  /** Usage (percent of the image filesystem) at or above which GC runs; 100 disables GC. */
  highThresholdPercent: number;
  /** Usage GC frees down to. */
  lowThresholdPercent: number;
  /** An image first seen less than this long ago is never removed (it may be about to be used). */
  minAgeMs: number;
}

/** Problems with a policy (empty when fine), in the kubelet's words. */
export function validateGcPolicy(p: ImageGcPolicy): string[] {
  const errs: string[] = [];
  if (!(p.highThresholdPercent >= 0 && p.highThresholdPercent <= 100))
    errs.push(`--image-gc-high-threshold: must be from 0 to 100, got ${p.highThresholdPercent}`);
  if (!(p.lowThresholdPercent >= 0 && p.lowThresholdPercent <= 100)) errs.push(`--image-gc-low-threshold: must be from 0 to 100, got ${p.lowThresholdPercent}`);
  if (p.lowThresholdPercent > p.highThresholdPercent)
    errs.push(`--image-gc-low-threshold (${p.lowThresholdPercent}) must be less than or equal to --image-gc-high-threshold (${p.highThresholdPercent})`);
  if (!(p.minAgeMs >= 0)) errs.push("--image-minimum-gc-age: must not be negative");
  return errs;
}

/** What the GC knows of one image: the engine's view plus when it was first seen and last used. */
export interface ImageRecord {
  image: RuntimeImage;
  firstDetected: number;
  lastUsed: number;
}

/** Keeps first-detected and last-used times of the engine's images (in memory, as the kubelet does). */
export class ImageTracker {
  private readonly records = new Map<string, ImageRecord>();

  /** Brings the records up to date with the engine's images; images in use are "used" now. */
  detect(images: RuntimeImage[], inUse: Set<string>, now: number): ImageRecord[] {
    const seen = new Set<string>();
    for (const image of images) {
      seen.add(image.id);
      const r = this.records.get(image.id);
      if (!r) this.records.set(image.id, { image, firstDetected: now, lastUsed: inUse.has(image.id) ? now : 0 });
      else {
        r.image = image;
        if (inUse.has(image.id)) r.lastUsed = now;
      }
    }
    for (const id of [...this.records.keys()]) if (!seen.has(id)) this.records.delete(id);
    return [...this.records.values()];
  }
}

/** Bytes to free so that usage falls to the low threshold; 0 below the high threshold. */
export function bytesToFree(fs: ImageFsStats, p: ImageGcPolicy): number {
  if (fs.capacityBytes <= 0 || p.highThresholdPercent >= 100) return 0;
  const usagePercent = 100 - (fs.availableBytes * 100) / fs.capacityBytes;
  if (usagePercent < p.highThresholdPercent) return 0;
  return Math.max(0, Math.ceil((fs.capacityBytes * (100 - p.lowThresholdPercent)) / 100 - fs.availableBytes));
}

/** The images to remove (in order) and what they add up to. */
export interface GcPlan {
  remove: ImageRecord[];
  freedBytes: number;
  /** Bytes asked for that no eligible image could give. */
  shortBytes: number;
}

/** Chooses unused, unpinned images old enough, least recently used first, until `bytes` are freed. */
export function planGc(records: ImageRecord[], inUse: Set<string>, pinned: Set<string>, bytes: number, now: number, minAgeMs: number): GcPlan {
  const remove: ImageRecord[] = [];
  let freed = 0;
  if (bytes <= 0) return { remove, freedBytes: 0, shortBytes: 0 };
  const candidates = records
    .filter((r) => !inUse.has(r.image.id) && !pinned.has(r.image.id))
    .sort((a, b) => a.lastUsed - b.lastUsed || a.firstDetected - b.firstDetected || a.image.id.localeCompare(b.image.id));
  for (const r of candidates) {
    if (freed >= bytes) break;
    // Why: a freshly loaded or pulled image is about to be used by the pod that asked for it.
    if (now - r.firstDetected < minAgeMs) continue;
    remove.push(r);
    freed += r.image.sizeBytes;
  }
  return { remove, freedBytes: freed, shortBytes: Math.max(0, bytes - freed) };
}
