// Allocation of ClusterIPs, NodePorts and load-balancer addresses for Services. Each taken
// value is one record in the store ("_alloc.<kind>.<value>"), created with create-if-absent,
// so several apiserver replicas never hand out the same value; records name the owning
// Service's uid and are released when it goes (or its update drops them): see
// admission/service-allocation.ts.
import type { Logger } from "@skiff/log";
import { InvalidError, formatIPv4, parseIPv4, type FieldError, type Service } from "@skiff/api";
import { type Store, RevisionMismatch } from "../storage/store.js";
import { objectKey, prefixFilter } from "../storage/keys.js";
import { parseRange, inRange, type IpRange } from "./cidr.js";

/** Where allocations come from. */
export interface AllocatorOptions {
  /** Service CIDR (--service-cluster-ip-range). */
  serviceCidr: string;
  /** NodePort range, "30000-32767" (--service-node-port-range). */
  nodePortRange: string;
  /** Load-balancer address pool, a CIDR or "a-b" range; "" = none (--load-balancer-ip-range). */
  loadBalancerRange: string;
}

type Kind = "clusterip" | "nodeport" | "lbip";
const RESOURCE = "_alloc";
const enc = new TextEncoder();
const dec = new TextDecoder();

/** What one Service holds. */
interface Held {
  clusterIP?: string;
  nodePorts: number[];
  lbIP?: string;
}

function heldBy(s: Service): Held {
  const ip = s.spec?.clusterIP;
  const lb = s.status?.loadBalancer?.ingress?.[0]?.ip;
  return {
    clusterIP: ip && ip !== "None" ? ip : undefined,
    nodePorts: [...new Set((s.spec?.ports ?? []).map((p) => p.nodePort).filter((p): p is number => !!p))],
    lbIP: s.spec?.type === "LoadBalancer" ? lb : undefined,
  };
}

/** The service allocator; admission/service-allocation.ts calls it on every Service write. */
export class ServiceAllocator {
  readonly serviceRange: IpRange;
  private readonly lbRange?: IpRange;
  private readonly portFirst: number;
  private readonly portLast: number;

  constructor(
    private readonly store: Store,
    opts: AllocatorOptions,
    private readonly log: Logger,
  ) {
    this.serviceRange = parseRange(opts.serviceCidr);
    this.lbRange = opts.loadBalancerRange ? parseRange(opts.loadBalancerRange) : undefined;
    const m = /^(\d+)-(\d+)$/.exec(opts.nodePortRange);
    if (!m || Number(m[1]) > Number(m[2]) || Number(m[1]) < 1 || Number(m[2]) > 65535)
      throw new Error(`invalid node port range ${JSON.stringify(opts.nodePortRange)}`);
    this.portFirst = Number(m[1]);
    this.portLast = Number(m[2]);
  }

  /** The n-th address of the service CIDR (1 = kubernetes, 10 = DNS). */
  serviceIP(n: number): string {
    return formatIPv4(this.serviceRange.first - 1 + n);
  }

  private key(kind: Kind, value: string | number): string {
    return objectKey(RESOURCE, "", `${kind}-${value}`);
  }

  /** Takes one value; false when someone else holds it. A record of the same owner counts as ours. */
  private async take(kind: Kind, value: string | number, uid: string, owner: string): Promise<boolean> {
    const key = this.key(kind, value);
    try {
      await this.store.create(key, enc.encode(JSON.stringify({ uid, owner, at: Date.now() })));
      return true;
    } catch (err) {
      if (!(err instanceof RevisionMismatch)) throw err;
      const cur = await this.store.get(key);
      if (!cur) return this.take(kind, value, uid, owner); // released meanwhile
      return (JSON.parse(dec.decode(cur.value)) as { uid: string }).uid === uid;
    }
  }

  /** Releases a value if `uid` holds it. */
  private async release(kind: Kind, value: string | number, uid: string): Promise<void> {
    const key = this.key(kind, value);
    for (let attempt = 0; attempt < 3; attempt++) {
      const cur = await this.store.get(key);
      if (!cur || (JSON.parse(dec.decode(cur.value)) as { uid: string }).uid !== uid) return;
      try {
        await this.store.delete(key, cur.value, cur.revision);
        return;
      } catch (err) {
        if (!(err instanceof RevisionMismatch)) throw err;
      }
    }
  }

  /** A random free value of [first, last], probing onwards from a random start. */
  private async takeAny(
    kind: Kind,
    first: number,
    last: number,
    show: (n: number) => string | number,
    uid: string,
    owner: string,
    reserved: Set<number>,
  ): Promise<number | undefined> {
    const size = last - first + 1;
    const start = Math.floor(Math.random() * size);
    for (let i = 0; i < size; i++) {
      const n = first + ((start + i) % size);
      if (reserved.has(n)) continue;
      if (await this.take(kind, show(n), uid, owner)) return n;
    }
    return undefined;
  }

  /** Addresses handed out only when asked for by value (kubernetes, DNS). */
  private reservedIPs(): Set<number> {
    return new Set([this.serviceRange.first, this.serviceRange.first + 9]);
  }

  /**
   * Fills and takes what `svc` needs that `old` (on update) does not already hold. On failure
   * everything taken here is given back and an Invalid error names every field.
   */
  async allocate(svc: Service, old?: Service): Promise<void> {
    const uid = svc.metadata.uid!;
    const owner = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const s = svc.spec;
    const type = s.type ?? "ClusterIP";
    const had = old ? heldBy(old) : { nodePorts: [] as number[] };
    const taken: [Kind, string | number][] = [];
    const errs: FieldError[] = [];
    const grab = async (kind: Kind, v: string | number) => {
      if (await this.take(kind, v, uid, owner)) taken.push([kind, v]);
      else return false;
      return true;
    };
    try {
      // ClusterIP
      if (type === "ExternalName") {
        if (s.clusterIP && s.clusterIP !== "None")
          errs.push({ field: "spec.clusterIP", type: "FieldValueForbidden", message: "Forbidden: may not be set for ExternalName services" });
      } else {
        const asked = s.clusterIP || s.clusterIPs?.[0] || (old ? old.spec.clusterIP : undefined);
        if (old?.spec.clusterIP && asked !== old.spec.clusterIP && (old.spec.type ?? "ClusterIP") !== "ExternalName") {
          errs.push({
            field: "spec.clusterIPs[0]",
            type: "FieldValueInvalid",
            message: `Invalid value: ${JSON.stringify(asked ?? "")}: may not change once set`,
          });
        } else if (asked === "None") {
          s.clusterIP = "None";
          s.clusterIPs = ["None"];
        } else if (asked && asked === had.clusterIP) {
          s.clusterIP = asked;
          s.clusterIPs = [asked];
        } else if (asked) {
          const n = parseIPv4(asked);
          const show = `[]string{${JSON.stringify(asked)}}`;
          if (n === undefined)
            errs.push({
              field: "spec.clusterIPs",
              type: "FieldValueInvalid",
              message: `Invalid value: ${show}: must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`,
            });
          else if (!inRange(this.serviceRange, n))
            errs.push({
              field: "spec.clusterIPs",
              type: "FieldValueInvalid",
              message: `Invalid value: ${show}: failed to allocate IP ${asked}: the provided IP (${asked}) is not in the valid range. The range of valid IPs is ${this.serviceRange.text}`,
            });
          else if (!(await grab("clusterip", asked)))
            errs.push({
              field: "spec.clusterIPs",
              type: "FieldValueInvalid",
              message: `Invalid value: ${show}: failed to allocate IP ${asked}: provided IP is already allocated`,
            });
          else {
            s.clusterIP = asked;
            s.clusterIPs = [asked];
          }
        } else {
          const n = await this.takeAny("clusterip", this.serviceRange.first, this.serviceRange.last, formatIPv4, uid, owner, this.reservedIPs());
          if (n === undefined)
            errs.push({ field: "spec.clusterIPs", type: "FieldValueInvalid", message: `Invalid value: []string{}: failed to allocate IP: range is full` });
          else {
            taken.push(["clusterip", formatIPv4(n)]);
            s.clusterIP = formatIPv4(n);
            s.clusterIPs = [formatIPv4(n)];
          }
        }
        if (s.clusterIP !== "None" || !s.ipFamilies) {
          s.ipFamilies ??= ["IPv4"];
          s.ipFamilyPolicy ??= "SingleStack";
        }
      }

      // NodePorts
      const wantsNodePorts = type === "NodePort" || type === "LoadBalancer";
      const mine = new Map<number, boolean>(); // nodePorts this service already uses in this request
      for (const [i, p] of (s.ports ?? []).entries()) {
        if (!wantsNodePorts) {
          delete p.nodePort;
          continue;
        }
        if (!p.nodePort && old) {
          // An update that leaves nodePort out keeps the one the port had (apply-friendly).
          const prev = old.spec.ports?.find((q) => q.port === p.port && (q.protocol ?? "TCP") === (p.protocol ?? "TCP"));
          if (prev?.nodePort) p.nodePort = prev.nodePort;
        }
        if (p.nodePort) {
          if (mine.has(p.nodePort) || had.nodePorts.includes(p.nodePort)) {
            mine.set(p.nodePort, true);
            continue;
          }
          if (!(Number.isInteger(p.nodePort) && p.nodePort >= this.portFirst && p.nodePort <= this.portLast)) {
            errs.push({
              field: `spec.ports[${i}].nodePort`,
              type: "FieldValueInvalid",
              message: `Invalid value: ${p.nodePort}: provided port is not in the valid range. The range of valid ports is ${this.portFirst}-${this.portLast}`,
            });
          } else if (!(await grab("nodeport", p.nodePort))) {
            errs.push({
              field: `spec.ports[${i}].nodePort`,
              type: "FieldValueInvalid",
              message: `Invalid value: ${p.nodePort}: provided port is already allocated`,
            });
          } else mine.set(p.nodePort, true);
        } else {
          const n = await this.takeAny("nodeport", this.portFirst, this.portLast, (x) => x, uid, owner, new Set());
          if (n === undefined) errs.push({ field: `spec.ports[${i}].nodePort`, type: "FieldValueInvalid", message: "Invalid value: 0: range is full" });
          else {
            taken.push(["nodeport", n]);
            p.nodePort = n;
            mine.set(n, true);
          }
        }
      }

      // Load-balancer address
      svc.status ??= {};
      if (type === "LoadBalancer" && s.loadBalancerClass) {
        // Another implementation's class (Kubernetes' rule): no address from this pool; its status is that controller's.
      } else if (type === "LoadBalancer") {
        const asked = s.loadBalancerIP || had.lbIP;
        if (asked && asked === had.lbIP) {
          svc.status.loadBalancer = { ingress: [{ ip: asked }] };
        } else if (asked) {
          const n = parseIPv4(asked);
          if (!this.lbRange || n === undefined || !inRange(this.lbRange, n))
            errs.push({
              field: "spec.loadBalancerIP",
              type: "FieldValueInvalid",
              message: `Invalid value: ${JSON.stringify(asked)}: not in the load-balancer pool ${this.lbRange?.text ?? "(none configured)"}`,
            });
          else if (!(await grab("lbip", asked)))
            errs.push({
              field: "spec.loadBalancerIP",
              type: "FieldValueInvalid",
              message: `Invalid value: ${JSON.stringify(asked)}: provided IP is already allocated`,
            });
          else svc.status.loadBalancer = { ingress: [{ ip: asked }] };
        } else if (this.lbRange) {
          const n = await this.takeAny("lbip", this.lbRange.first, this.lbRange.last, formatIPv4, uid, owner, new Set());
          if (n !== undefined) {
            taken.push(["lbip", formatIPv4(n)]);
            svc.status.loadBalancer = { ingress: [{ ip: formatIPv4(n) }] };
          } else this.log.warn({ service: owner }, "load-balancer pool exhausted; service stays pending");
        }
      } else if (svc.status.loadBalancer?.ingress?.length) {
        svc.status.loadBalancer = {};
      }
    } catch (err) {
      await this.giveBack(taken, uid);
      throw err;
    }
    if (errs.length) {
      await this.giveBack(taken, uid);
      throw new InvalidError("Service", svc.metadata.name ?? "", errs);
    }
  }

  private async giveBack(taken: [Kind, string | number][], uid: string): Promise<void> {
    for (const [k, v] of taken) await this.release(k, v, uid).catch((err) => this.log.warn({ err, kind: k, value: v }, "could not release allocation"));
  }

  /** Releases what `before` holds and `after` (if any) does not. */
  async releaseDropped(before: Service, after?: Service): Promise<void> {
    const a = heldBy(before);
    const b = after ? heldBy(after) : { nodePorts: [] as number[] };
    const uid = before.metadata.uid!;
    const drop: [Kind, string | number][] = [];
    if (a.clusterIP && a.clusterIP !== b.clusterIP) drop.push(["clusterip", a.clusterIP]);
    for (const p of a.nodePorts) if (!b.nodePorts.includes(p)) drop.push(["nodeport", p]);
    if (a.lbIP && a.lbIP !== b.lbIP) drop.push(["lbip", a.lbIP]);
    await this.giveBack(drop, uid);
  }

  /**
   * Repair: releases records whose owner no longer exists (an apiserver that died between
   * allocating and storing the Service). Records younger than `graceMs` are left alone.
   */
  async repair(liveUids: Set<string>, graceMs = 60_000): Promise<number> {
    const { items } = await this.store.list(prefixFilter(RESOURCE));
    let n = 0;
    for (const e of items) {
      const rec = JSON.parse(dec.decode(e.value)) as { uid: string; at: number };
      if (liveUids.has(rec.uid) || Date.now() - rec.at < graceMs) continue;
      await this.store.delete(e.key, e.value, e.revision).then(
        () => n++,
        () => undefined,
      );
    }
    return n;
  }
}
