// The EndpointSlice controller: one slice per Service with a selector and per distinct set of
// target ports, with ready/serving/terminating conditions per pod (discovery.k8s.io/v1).
import { createHash } from "node:crypto";
import { splitKey, isNotFound, type EndpointSlice, type Pod, type Service } from "@skiff/api";
import type { ControllerContext } from "../controller.js";
import { QueueController } from "../common/base.js";
import { backends, type Backend } from "../endpoints/compute.js";
import { watchServicePods } from "../endpoints/endpoints.js";

const SERVICE_NAME = "kubernetes.io/service-name";
const MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
const MANAGER = "endpointslice-controller.skiff.io";

/** The slices a service should have, keyed by name. */
export function desiredSlices(svc: Service, bs: Backend[]): Map<string, EndpointSlice> {
  const out = new Map<string, EndpointSlice>();
  for (const b of bs) {
    const portsKey = JSON.stringify(b.ports);
    const name = `${svc.metadata.name}-${createHash("sha256").update(portsKey).digest("hex").slice(0, 5)}`.slice(0, 253);
    let s = out.get(name);
    if (!s) {
      s = {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: {
          name,
          namespace: svc.metadata.namespace,
          labels: { [SERVICE_NAME]: svc.metadata.name!, [MANAGED_BY]: MANAGER },
          ownerReferences: [
            { apiVersion: "v1", kind: "Service", name: svc.metadata.name!, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true },
          ],
        },
        addressType: "IPv4",
        endpoints: [],
        ports: b.ports,
      };
      out.set(name, s);
    }
    s.endpoints.push({
      addresses: [b.address.ip],
      conditions: { ready: b.ready && !b.terminating, serving: b.ready, terminating: b.terminating },
      ...(b.address.hostname ? { hostname: b.address.hostname } : {}),
      ...(b.address.nodeName ? { nodeName: b.address.nodeName } : {}),
      targetRef: b.address.targetRef,
    });
  }
  return out;
}

export class EndpointSliceController extends QueueController {
  constructor(ctx: ControllerContext) {
    super(ctx, { workers: 2, baseDelayMs: 100, maxDelayMs: 5000, name: "endpointslices" });
  }

  protected async setup(): Promise<void> {
    watchServicePods(this.ctx, this.queue);
    const slices = this.ctx.informers.get<EndpointSlice>("endpointslices");
    const bySvc = (s: EndpointSlice) => {
      const svc = s.metadata.labels?.[SERVICE_NAME];
      if (svc && s.metadata.labels?.[MANAGED_BY] === MANAGER) this.queue.add(`${s.metadata.namespace}/${svc}`);
    };
    slices.addHandlers({ onDelete: bySvc, onUpdate: (_o, s) => bySvc(s) });
    await Promise.all(["services", "pods", "endpointslices"].map((r) => this.ctx.informers.get(r).waitForSync()));
  }

  async reconcile(key: string): Promise<void> {
    const { client, informers } = this.ctx;
    const { namespace, name } = splitKey(key);
    const svc = informers.get<Service>("services").get(key);
    const have = informers
      .get<EndpointSlice>("endpointslices")
      .list()
      .filter((s) => s.metadata.namespace === namespace && s.metadata.labels?.[SERVICE_NAME] === name && s.metadata.labels?.[MANAGED_BY] === MANAGER);
    const want =
      svc?.spec?.selector && Object.keys(svc.spec.selector).length
        ? desiredSlices(
            svc,
            backends(
              svc,
              informers
                .get<Pod>("pods")
                .list()
                .filter((p) => p.metadata.namespace === namespace),
            ),
          )
        : new Map<string, EndpointSlice>();
    for (const [sliceName, s] of want) {
      const cur = have.find((h) => h.metadata.name === sliceName);
      if (cur && JSON.stringify(cur.endpoints) === JSON.stringify(s.endpoints) && JSON.stringify(cur.ports) === JSON.stringify(s.ports)) continue;
      if (cur) await client.update("endpointslices", { ...s, metadata: { ...cur.metadata, ...s.metadata } });
      else await client.create("endpointslices", s, namespace);
    }
    for (const h of have) {
      if (!want.has(h.metadata.name!))
        await client.delete("endpointslices", h.metadata.name!, namespace).catch((err) => {
          if (!isNotFound(err)) throw err;
        });
    }
  }
}
