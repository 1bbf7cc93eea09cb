// npm run bench:endpoints — how fast a readiness change reaches the proxy: a backend's
// readiness gate is flipped through the API (timestamped just before the write) while this
// process probes the Service's ClusterIP with a new connection each time (what a client
// sees); the change has landed when the answers show it: the backend gone (a run of answers
// only from the other one) or back (its first answer). Pod status write → Endpoints
// controller → agent's informer → proxy table. 20 samples each way by default.
import { request } from "node:http";
import { afterAll, beforeAll, it } from "vitest";
import { waitFor } from "@skiff/client";
import { setCondition, type Endpoints, type Pod, type Service } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";
import { percentile, printTable } from "./stats.js";

const SAMPLES = Number(process.env.SKIFF_BENCH_SAMPLES ?? 20);
const IMAGE = "skiff/busybox:1.35";
const GATE = "skiff.io/serving";
const cluster = new TestCluster({ nodes: 1 });

function webPod(name: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: { app: "web" } },
    spec: {
      containers: [
        {
          name: "web",
          image: IMAGE,
          ports: [{ name: "http", containerPort: 8080 }],
          command: ["sh", "-c", `mkdir -p /www && echo ${name} > /www/index.html && exec httpd -f -p 8080 -h /www`],
        },
      ],
      readinessGates: [{ conditionType: GATE }],
      terminationGracePeriodSeconds: 1,
    },
  };
}

function get(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 1000 }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve(body.trim()));
      res.on("error", () => resolve("error"));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve("error"));
    req.end();
  });
}

/** Sets the gate; returns the time just before the successful write. */
async function setGate(name: string, status: "True" | "False"): Promise<number> {
  for (let i = 0; i < 10; i++) {
    const p = await cluster.client.get<Pod>("pods", name, "default");
    p.status ??= {};
    p.status.conditions ??= [];
    setCondition(p.status.conditions, { type: GATE, status });
    const t = performance.now();
    try {
      await cluster.client.updateStatus("pods", p);
      return t;
    } catch {
      /* conflict with the agent's status write: read again */
    }
  }
  throw new Error("could not set the readiness gate");
}

beforeAll(async () => {
  await cluster.start();
  for (const n of ["web-a", "web-b"]) await cluster.client.create("pods", webPod(n));
  await cluster.client.create("services", {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web", namespace: "default" },
    spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: "http" }] },
  } as Service);
  for (const n of ["web-a", "web-b"]) {
    await waitFor(async () => (await cluster.client.get<Pod>("pods", n, "default")).status?.phase === "Running", 60_000, `${n} Running`);
    await setGate(n, "True");
  }
  await waitFor(
    async () => (await cluster.client.get<Endpoints>("endpoints", "web", "default").catch(() => undefined))?.subsets?.[0]?.addresses?.length === 2,
    30_000,
    "two endpoints",
  );
}, 300_000);
afterAll(async () => {
  await cluster.stop();
}, 60_000);

it(`readiness change → proxy routing (${SAMPLES} samples each way)`, async () => {
  const ip = (await cluster.client.get<Service>("services", "web", "default")).spec.clusterIP!;
  const url = `http://${ip}/`;
  await waitFor(async () => (await get(url)) === "web-a", 15_000, "web-a through the ClusterIP");
  const off: number[] = [],
    on: number[] = [];
  let probes = 0;
  for (let i = 0; i < SAMPLES; i++) {
    // Unready: the change has landed at the first answer of a run of 6 answers all from web-b.
    const t0 = await setGate("web-a", "False");
    let runStart = 0,
      run = 0;
    for (const deadline = t0 + 10_000; performance.now() < deadline; ) {
      const t = performance.now();
      const b = await get(url);
      probes++;
      if (b === "web-b") {
        if (run++ === 0) runStart = t;
      } else run = 0;
      if (run >= 6) break;
    }
    if (run < 6) throw new Error("web-a kept answering 10 s after turning unready");
    off.push(runStart - t0);
    // Ready again: landed when web-a answers.
    const t1 = await setGate("web-a", "True");
    let seen = 0;
    for (const deadline = t1 + 10_000; performance.now() < deadline; ) {
      const t = performance.now();
      probes++;
      if ((await get(url)) === "web-a") {
        seen = t;
        break;
      }
    }
    if (!seen) throw new Error("web-a did not answer 10 s after turning ready");
    on.push(seen - t1);
  }
  const row = (what: string, xs: number[]) => [what, xs.length, percentile(xs, 50).toFixed(0), percentile(xs, 99).toFixed(0), Math.max(...xs).toFixed(0)];
  printTable(
    `readiness change → proxy routing (1 node, ClusterIP probed from the host with a new connection per request; ${probes} probes; ${new Date().toISOString()})`,
    ["change", "samples", "p50 ms", "p99 ms", "max ms"],
    [row("Ready → NotReady: traffic stops", off), row("NotReady → Ready: traffic returns", on)],
  );
});
