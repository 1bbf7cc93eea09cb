// Node IPAM: gives every Node a podCIDR (a /24 by default) out of the cluster CIDR, and
// frees it when the Node goes. The allocation is the Node objects themselves: no other state.
import { objectKey, type Node, isConflict, isNotFound } from "@skiff/api";
import type { ControllerContext } from "../controller.js";
import { QueueController } from "../common/base.js";

/** Parses "a.b.c.d/n" into a 32-bit base and prefix length. */
export function parseCidr(cidr: string): { base: number; bits: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) throw new Error(`invalid CIDR ${JSON.stringify(cidr)}`);
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) throw new Error(`invalid CIDR ${JSON.stringify(cidr)}`);
  const base = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return { base: (base & mask) >>> 0, bits };
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** The lowest free subnet of `maskBits` in `clusterCidr` not in `used`; undefined when full. */
export function nextFreeSubnet(clusterCidr: string, maskBits: number, used: Iterable<string>): string | undefined {
  const { base, bits } = parseCidr(clusterCidr);
  if (maskBits < bits) throw new Error(`node mask /${maskBits} is larger than the cluster CIDR ${clusterCidr}`);
  const taken = new Set([...used]);
  const count = 2 ** (maskBits - bits);
  for (let i = 0; i < count; i++) {
    const s = `${formatIp((base + i * 2 ** (32 - maskBits)) >>> 0)}/${maskBits}`;
    if (!taken.has(s)) return s;
  }
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
