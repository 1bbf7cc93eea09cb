// Allocation repair: frees allocation records whose Service is gone (an apiserver that died
// between taking a value and storing its Service, or a Service removed behind the registry's
// back). Runs at start and then periodically; safe with several apiserver replicas because a
// record younger than the grace period is never touched (its Service may be on its way into
// the store) and each record is deleted with compare-and-swap on its revision.
import type { Logger } from "@skiff/log";
import type { Registry } from "../registry/registry.js";
import type { ServiceAllocator } from "./allocator.js";

/** Runs one repair pass; resolves with the number of records freed. */
export async function repairOnce(registry: Registry, allocator: ServiceAllocator, log: Logger, graceMs = 60_000): Promise<number> {
  // Records are listed after the services: a record made in between is younger than the grace.
  const { items } = await registry.list("services");
  const live = new Set(items.map((s) => s.metadata.uid!).filter(Boolean));
  const freed = await allocator.repair(live, graceMs);
  if (freed > 0) log.info({ freed }, "freed allocations of services that no longer exist");
  return freed;
}

/** Starts the repair loop (first pass now); returns a function that stops it. */
export function startRepair(registry: Registry, allocator: ServiceAllocator, intervalMs: number, log: Logger): () => void {
  const pass = () => repairOnce(registry, allocator, log).catch((err) => log.warn({ err }, "allocation repair failed; will retry"));
  void pass();
  if (intervalMs <= 0) return () => undefined;
  const t = setInterval(pass, intervalMs);
  t.unref();
  return () => clearInterval(t);
}
