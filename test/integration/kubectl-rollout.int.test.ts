// The real kubectl driving Deployments over the HTTPS REST API: rollout status/history/undo/
// pause/resume, set image, scale, and delete with each --cascade mode, as in Kubernetes.
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import type { Deployment, Pod, ReplicaSet } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";

const run = promisify(execFile);
const IMAGE_A = "skiff/busybox:1.35";
const IMAGE_B = "skiff/busybox:1.35-rollout";

const manifest = (name: string, replicas: number) => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  strategy:
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: ${IMAGE_A}
        command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
`;

describe("kubectl rollout", () => {
  const cluster = new TestCluster({ nodes: 1 });
  let kubeconfig = "";
  beforeAll(async () => {
    execFileSync("docker", ["tag", IMAGE_A, IMAGE_B]);
    await cluster.start();
    kubeconfig = await cluster.kubeconfigPath();
  });
  afterAll(async () => {
    await cluster.stop();
    execFileSync("docker", ["rmi", IMAGE_B], { stdio: "ignore" });
  });

  /** Runs kubectl; resolves with stdout, rejects with stderr in the message. */
  const k = async (args: string[], input?: string): Promise<string> => {
    const p = run("kubectl", ["--kubeconfig", kubeconfig, "-n", "default", ...args], { timeout: 180_000 });
    if (input !== undefined) {
      p.child.stdin!.write(input);
      p.child.stdin!.end();
    }
    try {
      return (await p).stdout;
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`kubectl ${args.join(" ")} failed: ${e.stderr || e.message}\n${e.stdout ?? ""}`);
    }
  };
  const dep = (name: string) => cluster.client.get<Deployment>("deployments", name, "default");
  const podsOf = async (app: string) =>
    (await cluster.client.list<Pod>("pods", { namespace: "default", labelSelector: `app=${app}` })).items.filter((p) => !p.metadata.deletionTimestamp);
  const setsOf = async (app: string) => (await cluster.client.list<ReplicaSet>("replicasets", { namespace: "default", labelSelector: `app=${app}` })).items;
  const images = async (app: string) => [...new Set((await podsOf(app)).map((p) => p.spec.containers[0].image))];

  it("rollout status, set image, history, undo, pause/resume, scale", async () => {
    await k(["apply", "-f", "-"], manifest("web", 2));
    const st = await k(["rollout", "status", "deployment/web", "--timeout=150s"]);
    expect(st).toContain('deployment "web" successfully rolled out');
    expect((await dep("web")).status).toMatchObject({ replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 });

    // set image → a rollout that rollout status follows to the end.
    await k(["set", "image", "deployment/web", `main=${IMAGE_B}`]);
    expect(await k(["rollout", "status", "deployment/web", "--timeout=150s"])).toContain("successfully rolled out");
    await waitFor(async () => (await podsOf("web")).length === 2, 60_000, "old pods gone");
    expect(await images("web")).toEqual([IMAGE_B]);

    const history = await k(["rollout", "history", "deployment/web"]);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE/);
    expect(
      history
        .split("\n")
        .filter((l) => /^\d+\s/.test(l))
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(["1", "2"]);
    const rev2 = await k(["rollout", "history", "deployment/web", "--revision=2"]);
    expect(rev2).toContain(IMAGE_B);

    // undo → back to revision 1's template, which becomes revision 3.
    expect(await k(["rollout", "undo", "deployment/web"])).toContain("rolled back");
    expect(await k(["rollout", "status", "deployment/web", "--timeout=150s"])).toContain("successfully rolled out");
    await waitFor(async () => (await podsOf("web")).length === 2, 60_000, "old pods gone");
    expect(await images("web")).toEqual([IMAGE_A]);
    expect((await dep("web")).spec.template.spec.containers[0].image).toBe(IMAGE_A);
    const h2 = await k(["rollout", "history", "deployment/web"]);
    expect(
      h2
        .split("\n")
        .filter((l) => /^\d+\s/.test(l))
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(["2", "3"]);

    // pause: template changes do not roll; resume: they do.
    expect(await k(["rollout", "pause", "deployment/web"])).toContain("paused");
    expect((await dep("web")).spec.paused).toBe(true);
    await k(["set", "image", "deployment/web", `main=${IMAGE_B}`]);
    await new Promise((r) => setTimeout(r, 4000));
    expect(await images("web")).toEqual([IMAGE_A]);
    expect((await setsOf("web")).length).toBe(2); // no new ReplicaSet while paused
    expect(await k(["rollout", "resume", "deployment/web"])).toContain("resumed");
    expect(await k(["rollout", "status", "deployment/web", "--timeout=150s"])).toContain("successfully rolled out");
    await waitFor(async () => (await podsOf("web")).length === 2, 60_000, "old pods gone");
    expect(await images("web")).toEqual([IMAGE_B]);

    // scale through the scale subresource.
    expect(await k(["scale", "deployment", "web", "--replicas=3"])).toContain("scaled");
    await waitFor(async () => (await dep("web")).status?.availableReplicas === 3, 90_000, "3 available");
    expect((await podsOf("web")).length).toBe(3);
  });

  it("delete --cascade=orphan leaves the ReplicaSet and pods; background and foreground remove them", async () => {
    for (const name of ["orph", "bg", "fg"]) await k(["apply", "-f", "-"], manifest(name, 1));
    for (const name of ["orph", "bg", "fg"]) await k(["rollout", "status", `deployment/${name}`, "--timeout=150s"]);

    await k(["delete", "deployment", "orph", "--cascade=orphan"]);
    await waitFor(async () => !(await dep("orph").catch(() => undefined)), 30_000, "orph deleted");
    await new Promise((r) => setTimeout(r, 3000));
    const orphanSets = await setsOf("orph");
    expect(orphanSets).toHaveLength(1);
    expect(orphanSets[0].metadata.ownerReferences ?? []).toEqual([]);
    expect(await podsOf("orph")).toHaveLength(1);

    // foreground: kubectl waits for the Deployment to go, which happens only after its dependents are gone.
    await k(["delete", "deployment", "fg", "--cascade=foreground", "--timeout=120s"]);
    expect(await dep("fg").catch(() => undefined)).toBeUndefined();
    expect(await setsOf("fg")).toHaveLength(0);
    expect(await podsOf("fg")).toHaveLength(0);

    await k(["delete", "deployment", "bg", "--cascade=background"]);
    expect(await dep("bg").catch(() => undefined)).toBeUndefined();
    await waitFor(async () => (await setsOf("bg")).length === 0 && (await podsOf("bg")).length === 0, 60_000, "bg dependents collected");
  });
});
