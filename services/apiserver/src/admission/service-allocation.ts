// ServiceAllocation admission: a Service's ClusterIP, NodePorts and load-balancer address are
// taken from the allocator when it is written, and given back when the write fails, when an
// update drops them, and when the Service leaves the store.
import type { Service } from "@skiff/api";
import type { ServiceAllocator } from "../allocation/allocator.js";
import type { MutatingPlugin } from "./chain.js";

export function serviceAllocation(allocator: ServiceAllocator): MutatingPlugin {
  return {
    name: "ServiceAllocation",
    // Dry runs allocate nothing: they would hold addresses no stored object owns.
    handles: (a) => a.resource.group === "" && a.resource.resource === "services" && a.subresource === "" && !a.dryRun,
    async admit(a) {
      const next = a.object as Service | undefined;
      const old = a.oldObject as Service | undefined;
      if (a.operation === "DELETE") {
        return async (outcome) => {
          if (outcome === "removed" && old) await allocator.releaseDropped(old);
        };
      }
      if (!next) return;
      await allocator.allocate(next, old);
      return async (outcome) => {
        if (outcome === "failed") await allocator.releaseDropped(next, old);
        else if (outcome === "removed") {
          await allocator.releaseDropped(next);
          if (old) await allocator.releaseDropped(old);
        } else if (old) await allocator.releaseDropped(old, next);
      };
    },
  };
}
