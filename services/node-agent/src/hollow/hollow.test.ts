// Hollow nodes run the real pod manager: one fleet informer split by node, each node's
// PodManager on its own FakeRuntime, status written through the (fake) API client.
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ContainerLabels as L, type Pod } from "@skiff/api";
import type { ApiClient, Informer, InformerHandlers } from "@skiff/client";
import { silentLogger } from "@skiff/log";
import { FakeRuntime } from "../runtime/fake.js";
import type { PodManager } from "../pods/manager.js";
import { hollowPodManager } from "./hollow.js";
import { splitByNode } from "./node-pods.js";

const dirs: string[] = [];
const managers: PodManager[] = [];
afterEach(() => {
  for (const m of managers.splice(0)) m.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fleet informer whose events the test sends. */
function fleetInformer() {
  const handlers: InformerHandlers<Pod>[] = [];
  const informer = {
    addHandlers: (h: InformerHandlers<Pod>) => {
      handlers.push(h);
    },
    waitForSync: async () => undefined,
  } as unknown as Informer<Pod>;
  return {
    informer,
    add: (p: Pod) => {
      for (const h of handlers) h.onAdd?.(p);
    },
    update: (a: Pod, b: Pod) => {
      for (const h of handlers) h.onUpdate?.(a, b);
    },
  };
}

const pod = (name: string, nodeName?: string): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: "1" },
  spec: {
    ...(nodeName ? { nodeName } : {}),
    containers: [
      {
        name: "c",
        image: "skiff/pause:3.9",
        imagePullPolicy: "IfNotPresent",
        volumeMounts: [{ name: "kube-api-access-x", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true }],
      },
    ],
    // As the ServiceAccount admission adds it to every pod.
    volumes: [
      {
        name: "kube-api-access-x",
        projected: {
          sources: [
            { serviceAccountToken: { path: "token", expirationSeconds: 3607 } },
            { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
            { downwardAPI: { items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }] } },
          ],
        },
      },
    ],
  },
});

async function until(ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("hollow nodes", () => {
  it("run each node's pods through the real pod manager and report them Running with that node's IP", async () => {
    const writes: Pod[] = [];
    const client = {
      updateStatus: async (_r: string, p: Pod) => {
        writes.push(structuredClone(p));
        return p;
      },
    } as unknown as ApiClient;
    const fleet = fleetInformer();
    const nodes = ["h-0", "h-1"];
    const views = splitByNode(fleet.informer, nodes);
    const rootDir = mkdtempSync(join(tmpdir(), "hollow-"));
    dirs.push(rootDir);
    const runtimes = nodes.map(() => new FakeRuntime());
    const opts = { cpus: 4, memoryGiB: 16, workers: 2, events: false, resyncMs: 60_000 };
    for (const [i, nodeName] of nodes.entries()) {
      const m = hollowPodManager(
        { client, nodeName, hostIP: `127.254.0.${i}`, runtime: runtimes[i], pods: views.get(nodeName)!, rootDir, opts },
        silentLogger(),
      );
      managers.push(m);
      await m.start();
    }
    // Pending (unbound) pods belong to no node; a binding hands the pod to its node only.
    const a = pod("a");
    fleet.add(a);
    fleet.add(pod("b", "h-0"));
    fleet.update(a, pod("a", "h-1"));
    await until(() => writes.length >= 2);

    const byName = new Map(writes.map((w) => [w.metadata.name, w]));
    expect(byName.get("a")!.status).toMatchObject({ phase: "Running", hostIP: "127.254.0.1" });
    expect(byName.get("b")!.status).toMatchObject({ phase: "Running", hostIP: "127.254.0.0" });
    for (const w of writes) {
      expect(w.status!.containerStatuses![0]).toMatchObject({ name: "c", ready: true, restartCount: 0 });
      expect(w.status!.containerStatuses![0].containerID).toMatch(/^docker:\/\/fake/);
      expect(w.status!.conditions!.find((c) => c.type === "Ready")!.status).toBe("True");
    }
    // A sandbox and an app container per pod, each on its own node's runtime.
    const kinds = (rt: FakeRuntime) => [...rt.containers.values()].map((c) => `${c.labels[L.podName]}/${c.labels[L.kind]}`).sort();
    expect(kinds(runtimes[0])).toEqual(["b/container", "b/sandbox"]);
    expect(kinds(runtimes[1])).toEqual(["a/container", "a/sandbox"]);
  });
});
