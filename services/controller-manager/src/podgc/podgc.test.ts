import { describe, expect, it } from "vitest";
import type { KObject } from "@skiff/api";
import { FakeCluster } from "../testing.js";
import { PodGcController } from "./podgc.js";

const pod = (name: string, nodeName?: string): KObject => ({ metadata: { name, namespace: "kube-system" }, spec: { nodeName, containers: [] } }) as KObject;

describe("pod GC of orphaned pods", () => {
  it("force-deletes pods bound to a node gone for the quarantine, and nothing else", async () => {
    const fc = new FakeCluster();
    const gc = new PodGcController(fc.context({ podGcOrphanQuarantineMs: 1000 }));
    fc.seed<KObject>("nodes", { metadata: { name: "n1" } });
    fc.seed("pods", pod("on-live", "n1"));
    fc.seed("pods", pod("pending"));
    const orphan = fc.seed("pods", pod("on-gone", "n2"));
    await gc.check(10_000);
    expect(fc.count("delete", "pods")).toBe(0); // quarantine starts
    await gc.check(10_500);
    expect(fc.count("delete", "pods")).toBe(0);
    await gc.check(11_000);
    expect(fc.actions.filter((a) => a.verb === "delete")).toEqual([
      expect.objectContaining({ key: "kube-system/on-gone", opts: { gracePeriodSeconds: 0, preconditionUid: orphan.metadata.uid } }),
    ]);
  });

  it("spares the pods of a node the cache has not seen yet but the apiserver has", async () => {
    const fc = new FakeCluster();
    const gc = new PodGcController(fc.context({ podGcOrphanQuarantineMs: 0 }));
    fc.seed("pods", pod("p", "fresh"));
    await fc.client.create("nodes", { metadata: { name: "fresh" } });
    fc.informer("nodes").remove({ metadata: { name: "fresh" } } as KObject);
    await gc.check();
    expect(fc.count("delete", "pods")).toBe(0);
  });
});
