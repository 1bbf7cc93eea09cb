// kube-system shows what runs the cluster: each node agent's proxy, DNS and ingress controller
// are mirror pods there (as the kubelet's static pods are), seen with the real kubectl on a
// 2-node cluster: listed Running on their node's name and IP, with the mirror annotation and
// their Node as owner; re-created when deleted; restarted when their process dies; their logs;
// drain (with and without --ignore-daemonsets) leaves them; node eviction leaves them; deleting
// the Node removes them.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import type { Pod } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";

const run = promisify(execFile);
const COMPONENTS = ["skiff-dns", "skiff-proxy", "skiff-ingress"];

describe("mirror pods of the node processes in kube-system", () => {
  // Pod GC's quarantine for pods of a deleted Node shortened from 40 s.
  const cluster = new TestCluster({ nodes: 2, controllerManagerFlags: ["--pod-gc-orphan-quarantine-ms", "2000"] });
  let kubeconfig = "";
  const kubectl = async (...args: string[]) => {
    try {
      return (await run("kubectl", args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 120_000 })).stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`kubectl ${args.join(" ")} failed: ${e.stderr || e.message}\n${cluster.logs()}`);
    }
  };
  const kubectlFails = async (...args: string[]) => {
    try {
      await run("kubectl", args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 });
    } catch (err) {
      return (err as { stderr: string }).stderr;
    }
    throw new Error(`kubectl ${args.join(" ")} succeeded`);
  };
  const mirror = async (name: string) => JSON.parse(await kubectl("get", "pod", "-n", "kube-system", name, "-o", "json")) as Pod;
  const kubeSystem = async () => (JSON.parse(await kubectl("get", "pods", "-n", "kube-system", "-o", "json")) as { items: Pod[] }).items;
  const ready = (p: Pod | undefined) => p?.status?.phase === "Running" && p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True");
  const pidOf = (node: string, child: string) => (JSON.parse(readFileSync(join(cluster.runDir(node), `${child}.json`), "utf8")) as { pid: number }).pid;

  beforeAll(async () => {
    await cluster.start();
    kubeconfig = await cluster.kubeconfigPath();
  }, 120_000);
  afterAll(async () => {
    await cluster.stop();
  }, 60_000);

  it("lists every node's dns, proxy and ingress Running, on the node's name and IP (get pods -o wide)", async () => {
    const names = [0, 1].flatMap((i) => COMPONENTS.map((c) => `${c}-${cluster.nodeName(i)}`));
    await waitFor(
      async () => {
        const pods = await kubeSystem();
        return names.every((n) => ready(pods.find((p) => p.metadata.name === n)));
      },
      60_000,
      "the mirror pods of both nodes to be Running and Ready",
    );
    const wide = await kubectl("get", "pods", "-n", "kube-system", "-o", "wide");
    expect(wide.split("\n")[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+/);
    for (const i of [0, 1]) {
      for (const c of COMPONENTS) {
        expect(wide).toMatch(
          new RegExp(`${c}-${cluster.nodeName(i)}\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${cluster.nodeIP(i).replace(/\./g, "\\.")}\\s+${cluster.nodeName(i)}\\s`),
        );
      }
    }
  });

  it("carries the mirror annotation, its Node as controller owner, hostNetwork, and the process id", async () => {
    const node = cluster.nodeName(0);
    const nodeUid = (await kubectl("get", "node", node, "-o", "jsonpath={.metadata.uid}")).trim();
    const p = await mirror(`skiff-proxy-${node}`);
    expect(p.metadata.annotations?.["kubernetes.io/config.mirror"]).toMatch(/^[0-9a-f]{32}$/);
    expect(p.metadata.annotations?.["kubernetes.io/config.mirror"]).toBe(p.metadata.annotations?.["kubernetes.io/config.hash"]);
    expect(p.metadata.annotations?.["kubernetes.io/config.source"]).toBe("file");
    expect(p.metadata.ownerReferences).toEqual([{ apiVersion: "v1", kind: "Node", name: node, uid: nodeUid, controller: true }]);
    expect(p.spec).toMatchObject({ nodeName: node, hostNetwork: true, priorityClassName: "system-node-critical", priority: 2000001000 });
    expect(p.spec.containers[0].command).toContain(join(cluster.runDir(node), "proxy.json"));
    expect(p.status?.containerStatuses?.[0].containerID).toBe(`process://${pidOf(node, "proxy")}`);
    // kubectl describe reads it as a mirror pod would be read: controlled by its Node.
    expect(await kubectl("describe", "pod", "-n", "kube-system", `skiff-proxy-${node}`)).toMatch(/Controlled By:\s+Node\/\S+/);
  });

  it("serves the process's log through kubectl logs and its usage through kubectl top, and says why exec is not available", async () => {
    const node = cluster.nodeName(0);
    const logs = await kubectl("logs", "-n", "kube-system", `skiff-dns-${node}`, "--tail=50");
    expect(logs).toContain('"service":"dns"');
    expect((await kubectl("logs", "-n", "kube-system", `skiff-dns-${node}`, "--tail=1")).trim().split("\n")).toHaveLength(1);
    const err = await kubectlFails("exec", "-n", "kube-system", `skiff-proxy-${node}`, "--", "true");
    expect(err).toContain("runs outside any container: only kubectl logs works for it");
    // kubectl top reads the process's CPU and resident memory (a Node.js process: tens of MiB).
    const top = await kubectl("top", "pod", "-n", "kube-system", `skiff-proxy-${node}`, "--no-headers");
    const mem = Number(new RegExp(`skiff-proxy-${node}\\s+\\d+m\\s+(\\d+)Mi`).exec(top)?.[1]);
    expect(mem, top).toBeGreaterThan(10);
  });

  it("re-creates a mirror pod deleted through the API", async () => {
    const name = `skiff-proxy-${cluster.nodeName(0)}`;
    const before = await mirror(name);
    expect(await kubectl("delete", "pod", "-n", "kube-system", name, "--timeout=60s")).toContain(`pod "${name}" deleted`);
    await waitFor(
      async () => {
        const p = await mirror(name).catch(() => undefined);
        return !!p && p.metadata.uid !== before.metadata.uid && ready(p);
      },
      60_000,
      "the mirror pod to come back",
    );
  });

  it("starts a node process that died again; its mirror pod counts the restart", async () => {
    const node = cluster.nodeName(0);
    const old = pidOf(node, "dns");
    process.kill(old, "SIGKILL");
    await waitFor(
      async () => {
        const p = await mirror(`skiff-dns-${node}`);
        return ready(p) && p.status?.containerStatuses?.[0].restartCount === 1;
      },
      60_000,
      "the dns to run again with restartCount 1",
    );
    const p = await mirror(`skiff-dns-${node}`);
    expect(p.status?.containerStatuses?.[0].containerID).toBe(`process://${pidOf(node, "dns")}`);
    expect(p.status?.containerStatuses?.[0].lastState.terminated).toMatchObject({ exitCode: 137, containerID: `process://${old}` });
  });

  it("kubectl drain skips the mirror pods, with and without --ignore-daemonsets", async () => {
    for (const [i, extra] of [
      [0, ["--ignore-daemonsets"]],
      [1, []],
    ] as const) {
      const node = cluster.nodeName(i);
      const out = await kubectl("drain", node, ...extra, "--timeout=60s");
      expect(out).toContain(`node/${node} drained`);
      expect(out).not.toContain("skiff-proxy");
      const left = (await kubectl("get", "pods", "-A", "--field-selector", `spec.nodeName=${node}`, "-o", "name")).trim().split("\n").sort();
      expect(left).toEqual(COMPONENTS.map((c) => `pod/${c}-${node}`).sort());
      await kubectl("uncordon", node);
    }
  });

  it("keeps the mirror pods of a node that stopped answering (they tolerate NoExecute) while its other pods are evicted", async () => {
    const node = cluster.nodeName(1);
    await kubectl("run", "bystander", "--image=skiff/busybox:1.35", "--restart=Never", `--overrides={"spec":{"nodeName":"${node}"}}`, "--", "sleep", "3600");
    await waitFor(async () => ready(await kubectl("get", "pod", "bystander", "-o", "json").then((o) => JSON.parse(o) as Pod)), 60_000, "bystander to run");
    await cluster.agents.get(node)!.kill();
    // Unreachable after the 10 s grace; the bystander goes 20 s later (its default toleration).
    await waitFor(async () => !(await kubectl("get", "pods", "-o", "name")).includes("bystander"), 90_000, "bystander to be evicted");
    const mine = (await kubeSystem()).filter((p) => p.spec.nodeName === node);
    expect(mine.map((p) => p.metadata.name).sort()).toEqual(COMPONENTS.map((c) => `${c}-${node}`).sort());
    expect(mine.every((p) => !p.metadata.deletionTimestamp)).toBe(true);
  });

  it("removes the mirror pods of a deleted Node (owner reference; pod GC finishes them, no agent is left to)", async () => {
    const node = cluster.nodeName(1);
    await kubectl("delete", "node", node);
    await waitFor(async () => (await kubeSystem()).every((p) => p.spec.nodeName !== node), 60_000, "the deleted node's mirror pods to go");
    // The other node's are untouched.
    expect((await kubeSystem()).filter((p) => p.spec.nodeName === cluster.nodeName(0))).toHaveLength(3);
  });
});
