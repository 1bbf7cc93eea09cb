// Two nodes on one host: pod-to-pod by IP across the two pod bridges without NAT (the server
// sees the client pod's own IP), and service traffic from a pod on one node to an endpoint
// on the other.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import type { Endpoints, Pod, Service } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";

const IMAGE = "skiff/busybox:1.35";

describe("services across two nodes", () => {
  const cluster = new TestCluster({ nodes: 2 });
  const running = async (name: string) =>
    waitFor(
      async () => {
        const p = await cluster.client.get<Pod>("pods", name, "default");
        return p.status?.phase === "Running" && p.status.podIP ? p : undefined;
      },
      60_000,
      `${name} Running`,
    );

  beforeAll(async () => {
    await cluster.start();
    await cluster.client.create("pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "server", namespace: "default", labels: { app: "server" } },
      spec: {
        nodeName: cluster.nodeName(1),
        terminationGracePeriodSeconds: 1,
        // -v logs each request with the peer's address to stderr (docker logs).
        containers: [
          { name: "web", image: IMAGE, command: ["sh", "-c", "mkdir -p /www && echo server > /www/index.html && exec httpd -f -v -p 8080 -h /www"] },
        ],
      },
    });
    await cluster.client.create("pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "client", namespace: "default" },
      spec: {
        nodeName: cluster.nodeName(0),
        terminationGracePeriodSeconds: 1,
        containers: [{ name: "c", image: IMAGE, command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"] }],
      },
    });
    await cluster.client.create("services", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "server", namespace: "default" },
      spec: { selector: { app: "server" }, ports: [{ port: 80, targetPort: 8080 }] },
    } as Service);
  }, 180_000);
  afterAll(async () => {
    await cluster.stop();
  }, 60_000);

  it("reaches a pod on the other node by its IP, and the server sees the client pod's IP", async () => {
    const server = await running("server");
    const client = await running("client");
    expect(server.status!.podIP!.split(".").slice(0, 3)).not.toEqual(client.status!.podIP!.split(".").slice(0, 3));
    const cid = cluster.containers({ "io.kubernetes.pod.name": "client", "io.skiff.kind": "container" })[0].id;
    const body = execFileSync("docker", ["exec", cid, "wget", "-qO-", "-T", "5", `http://${server.status!.podIP}:8080/`], { encoding: "utf8" }).trim();
    expect(body).toBe("server");
    const sid = cluster.containers({ "io.kubernetes.pod.name": "server", "io.skiff.kind": "container" })[0].id;
    const logText = execFileSync("sh", ["-c", `docker logs ${sid} 2>&1`], { encoding: "utf8" });
    expect(logText).toContain(client.status!.podIP!);
  });

  it("sends service traffic from a pod on one node to the endpoint on the other", async () => {
    await running("server");
    await waitFor(
      async () => ((await cluster.client.get<Endpoints>("endpoints", "server", "default").catch(() => undefined))?.subsets?.[0]?.addresses?.length ?? 0) === 1,
      30_000,
      "endpoints",
    );
    const cid = cluster.containers({ "io.kubernetes.pod.name": "client", "io.skiff.kind": "container" })[0].id;
    const out = await waitFor(
      async () => {
        try {
          return execFileSync("docker", ["exec", cid, "wget", "-qO-", "-T", "5", "http://server.default.svc.cluster.local/"], { encoding: "utf8" }).trim();
        } catch {
          return undefined;
        }
      },
      20_000,
      "the service to answer",
    );
    expect(out).toBe("server");
  });
});
