// Node IPAM: gives every Node a podCIDR (a /24 by default) out of the cluster CIDR, and
// frees it when the Node goes. The allocation is the Node objects themselves: no other state.
import { formatIPv4, isConflict, isNotFound, objectKey, parseIPv4Cidr, type Node } from "@skiff/api";
import type { ControllerContext } from "../controller.js";
import { QueueController } from "../common/base.js";

/** The lowest free subnet of `maskBits` in `clusterCidr` not in `used`; undefined when full. */
export function nextFreeSubnet(clusterCidr: string, maskBits: number, used: Iterable<string>): string | undefined {
  const cluster = parseIPv4Cidr(clusterCidr);
  if (!cluster) throw new Error(`invalid CIDR ${JSON.stringify(clusterCidr)}`);
  if (maskBits < cluster.bits || maskBits > 32) throw new Error(`node mask /${maskBits} is larger than the cluster CIDR ${clusterCidr}`);
  const step = 2 ** (32 - maskBits);
  // The subnets in use as their index in the cluster CIDR (one parse each, not one format per candidate).
  const taken = new Set<number>();
  for (const u of used) {
    const c = parseIPv4Cidr(u);
    if (c?.bits === maskBits && c.net >= cluster.net && c.net < cluster.net + cluster.size) taken.add((c.net - cluster.net) / step);
  }
  const count = 2 ** (maskBits - cluster.bits);
  for (let i = 0; i < count; i++) if (!taken.has(i)) return `${formatIPv4(cluster.net + i * step)}/${maskBits}`;
  return undefined;
}

export class NodeIpamController extends QueueController {
  constructor(ctx: ControllerContext) {
    super(ctx, { workers: 1, baseDelayMs: 50 });
  }

  protected async setup(): Promise<void> {
    const nodes = this.ctx.informers.get<Node>("nodes");
    nodes.addHandlers({ onAdd: (n) => this.queue.add(objectKey(n)), onUpdate: (_o, n) => this.queue.add(objectKey(n)) });
    await nodes.waitForSync();
  }

  /** Gives the node a podCIDR if it has none (one worker: allocations never race each other). */
  async reconcile(name: string): Promise<void> {
    const nodes = this.ctx.informers.get<Node>("nodes");
    const node = nodes.get(name);
    if (!node || node.spec?.podCIDR) return;
    const used = nodes
      .list()
      .map((n) => n.spec?.podCIDR)
      .filter((c): c is string => !!c);
    const cidr = nextFreeSubnet(this.ctx.opts.clusterCidr, this.ctx.opts.nodeCidrMaskSize, used);
    if (!cidr) {
      this.ctx.recorder.record(node, "Warning", "CIDRNotAvailable", `Node ${name} status is now: CIDRNotAvailable`);
      throw new Error(`no podCIDR left in ${this.ctx.opts.clusterCidr}`);
    }
    try {
      await this.ctx.client.update("nodes", { ...node, spec: { ...node.spec, podCIDR: cidr, podCIDRs: [cidr] } });
      this.ctx.log.info({ node: name, podCIDR: cidr }, "assigned podCIDR");
    } catch (err) {
      if (isNotFound(err)) return;
      if (isConflict(err)) throw err; // retried with the fresher cache
      throw err;
    }
  }
}
