// npm run bench:pod-startup — create→Running latency of 30 pods of a local image through the
// whole cluster (API, scheduler, node agent, Docker), beside plain `docker run` of the same
// image with the same command (the floor), in the same run. Two modes: one at a time
// (latency without contention) and all 30 at once (a burst). Writes bench-results/pod-startup.json
// (ratio_p50_serial, ratio_p50_burst). SKIFF_BENCH_PODS=N changes the number of pods.
import { execFile, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, it } from "vitest";
import type { Pod } from "@skiff/api";
import { TestCluster, repoRoot } from "../harness/cluster.js";
import { percentile, printTable } from "./stats.js";

const run = promisify(execFile);
const N = Number(process.env.SKIFF_BENCH_PODS ?? 30);
const IMAGE = "skiff/busybox:1.35";
const CMD = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"];

const cluster = new TestCluster({ nodes: 1, agentFlags: ["--max-pods", "500"] });
beforeAll(async () => {
  await cluster.start();
});
afterAll(async () => {
  await cluster.stop();
});

/** Times `docker run -d` (returns once the container runs) for each of n containers. */
async function dockerRun(n: number, parallel: boolean, tag: string): Promise<number[]> {
  const one = async (i: number) => {
    const t0 = performance.now();
    await run("docker", [
      "run",
      "-d",
      "--network",
      "none",
      "--label",
      `io.skiff.cluster=${cluster.name}`,
      "--name",
      `${cluster.name}-floor-${tag}-${i}`,
      IMAGE,
      ...CMD,
    ]);
    return performance.now() - t0;
  };
  if (parallel) return Promise.all(Array.from({ length: n }, (_, i) => one(i)));
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await one(i));
  return out;
}

/** Times create→Running (seen through a watch) for n pods. */
async function skiffPods(n: number, parallel: boolean, tag: string): Promise<number[]> {
  const { client } = cluster;
  const created = new Map<string, number>();
  const latencies = new Map<string, number>();
  const bound = new Map<string, number>();
  let notify: () => void = () => undefined;
  // Watch from a listed revision (never miss an event to the watch's own start-up), and resume
  // from the last revision seen when the stream ends (a loaded apiserver may close it).
  let rv = (await client.list<Pod>("pods", { namespace: "default", labelSelector: `bench=${tag}` })).resourceVersion;
  let stopped = false;
  let h: { stop(): void } | undefined;
  const open = () => {
    h = client.watch<Pod>(
      "pods",
      { namespace: "default", labelSelector: `bench=${tag}`, resourceVersion: rv },
      (e) => {
        if (e.object.metadata.resourceVersion) rv = e.object.metadata.resourceVersion;
        if (e.type === "BOOKMARK") return;
        const name = e.object.metadata.name!;
        if (e.object.spec.nodeName && created.has(name) && !bound.has(name)) bound.set(name, performance.now() - created.get(name)!);
        if (e.object.status?.phase === "Running" && created.has(name) && !latencies.has(name)) {
          latencies.set(name, performance.now() - created.get(name)!);
          notify();
        }
      },
      () => {
        if (!stopped) setTimeout(open, 100);
      },
    );
  };
  open();
  const one = async (i: number) => {
    const name = `${tag}-${i}`;
    created.set(name, performance.now());
    await client.create("pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "default", labels: { bench: tag } },
      spec: { containers: [{ name: "main", image: IMAGE, command: CMD }], terminationGracePeriodSeconds: 1 },
    });
    if (!parallel)
      await new Promise<void>((r) => {
        notify = () => {
          if (latencies.has(name)) r();
        };
        notify();
      });
  };
  if (parallel) await Promise.all(Array.from({ length: n }, (_, i) => one(i)));
  else for (let i = 0; i < n; i++) await one(i);
  await new Promise<void>((r) => {
    notify = () => {
      if (latencies.size >= n) r();
    };
    notify();
  });
  stopped = true;
  h?.stop();
  // Wall-clock creation times, to line up with the engine's event times.
  for (const [name, t] of created) createdAt.set(name, performance.timeOrigin + t);
  for (const [name, t] of bound) boundAfter.set(name, t);
  return [...latencies.values()];
}

const createdAt = new Map<string, number>();
const boundAfter = new Map<string, number>();

/** The engine's create/start events of the cluster's containers (ms since epoch), while recording. */
function engineEvents(): { stop(): Map<string, number> } {
  const out = new Map<string, number>();
  const p = spawn("docker", ["events", "--filter", `label=io.skiff.cluster=${cluster.name}`, "--filter", "type=container", "--format", "{{json .}}"]);
  let buf = "";
  p.stdout.on("data", (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        const e = JSON.parse(line) as { Action: string; timeNano: number; Actor: { Attributes: Record<string, string> } };
        const a = e.Actor.Attributes;
        if (e.Action === "create" || e.Action === "start") out.set(`${a["io.kubernetes.pod.name"]}/${a["io.skiff.kind"]}/${e.Action}`, e.timeNano / 1e6);
      } catch {
        /* not an event line */
      }
    }
  });
  return {
    stop: () => {
      p.kill();
      return out;
    },
  };
}

/** Where one-at-a-time pods spend their time: medians of each step, from the API create to Running seen. */
function breakdown(events: Map<string, number>, names: string[], running: number[]): (string | number)[][] {
  const steps: [string, (n: string) => number | undefined][] = [
    ["create → bound (apiserver, scheduler)", (n) => boundAfter.get(n)],
    ["→ sandbox created (watch, agent)", (n) => events.get(`${n}/sandbox/create`)! - createdAt.get(n)!],
    ["→ app container created", (n) => events.get(`${n}/container/create`)! - createdAt.get(n)!],
    ["→ sandbox started", (n) => events.get(`${n}/sandbox/start`)! - createdAt.get(n)!],
    ["→ app container started", (n) => events.get(`${n}/container/start`)! - createdAt.get(n)!],
  ];
  const rows = steps.map(([what, f]) => [
    what,
    percentile(
      names.map(f).filter((x): x is number => x !== undefined && Number.isFinite(x)),
      50,
    ).toFixed(0),
  ]);
  rows.push(["→ Running seen through the watch", percentile(running, 50).toFixed(0)]);
  return rows;
}

/** Removes what a phase left; the agent removes the same containers meanwhile, so engine errors are fine. */
async function cleanup(): Promise<void> {
  await cleanupOnce().catch(() => undefined);
  await new Promise((r) => setTimeout(r, 2000));
  await cleanupOnce().catch(() => undefined);
}

async function cleanupOnce(): Promise<void> {
  const ids = (await run("docker", ["ps", "-aq", "--filter", `name=${cluster.name}-floor-`])).stdout.split("\n").filter(Boolean);
  if (ids.length) await run("docker", ["rm", "-f", ...ids]);
  const pods = await cluster.client.list("pods", { namespace: "default" });
  await Promise.all(pods.items.map((p) => cluster.client.delete("pods", p.metadata.name!, "default", { gracePeriodSeconds: 0 })));
  const left = (await run("docker", ["ps", "-aq", "--filter", `label=io.skiff.cluster=${cluster.name}`, "--filter", "label=io.skiff.kind"])).stdout
    .split("\n")
    .filter(Boolean);
  if (left.length) await run("docker", ["rm", "-f", ...left]);
}

it(`pod startup: ${N} pods, create→Running vs docker run`, async () => {
  // Warm-up: first use of the image and network.
  await skiffPods(2, false, "warm");
  await dockerRun(2, false, "warm");
  await cleanup();

  const rows: (string | number)[][] = [];
  const figures: Record<string, { floor_p50_ms: number; floor_p99_ms: number; skiff_p50_ms: number; skiff_p99_ms: number; ratio_p50: number }> = {};
  const load = [loadavg()[0]];
  let profile: (string | number)[][] = [];
  for (const parallel of [false, true]) {
    const mode = parallel ? `burst of ${N}` : "one at a time";
    const floor = await dockerRun(N, parallel, parallel ? "b" : "s");
    await cleanup();
    const rec = engineEvents();
    const skiff = await skiffPods(N, parallel, parallel ? "burst" : "seq");
    const events = rec.stop();
    if (!parallel)
      profile = breakdown(
        events,
        Array.from({ length: N }, (_, i) => `seq-${i}`),
        skiff,
      );
    await cleanup();
    const f50 = percentile(floor, 50),
      f99 = percentile(floor, 99),
      s50 = percentile(skiff, 50),
      s99 = percentile(skiff, 99);
    rows.push([mode, "docker run -d (floor)", f50.toFixed(0), f99.toFixed(0), "1.00"]);
    rows.push([mode, "skiff pod create→Running", s50.toFixed(0), s99.toFixed(0), (s50 / f50).toFixed(2)]);
    figures[parallel ? "burst" : "serial"] = { floor_p50_ms: f50, floor_p99_ms: f99, skiff_p50_ms: s50, skiff_p99_ms: s99, ratio_p50: s50 / f50 };
    load.push(loadavg()[0]);
    // Printed as each mode ends: a loaded machine may take long over the next one.
    process.stderr.write(
      `pod-startup ${mode}: floor p50 ${f50.toFixed(0)} p99 ${f99.toFixed(0)} ms, skiff p50 ${s50.toFixed(0)} p99 ${s99.toFixed(0)} ms, ratio ${(s50 / f50).toFixed(2)}, load ${loadavg()[0].toFixed(1)}\n`,
    );
    if (!parallel) process.stderr.write(`pod-startup breakdown: ${JSON.stringify(profile)}\n`);
  }
  mkdirSync(join(repoRoot, "bench-results"), { recursive: true });
  writeFileSync(
    join(repoRoot, "bench-results", "pod-startup.json"),
    JSON.stringify(
      {
        name: "pod-startup",
        date: new Date().toISOString(),
        machine: { cpus: cpus().length, node: process.version, loadavg1: load },
        parameters: { pods: N, image: IMAGE, command: CMD, nodes: 1 },
        ratio_p50_serial: figures.serial.ratio_p50,
        ratio_p50_burst: figures.burst.ratio_p50,
        figures,
        serial_breakdown_p50_ms: Object.fromEntries(profile.map(([k, v]) => [k, Number(v)])),
        floor: "docker run -d --network none of the same image and command (the docker CLI), in the same run",
      },
      null,
      2,
    ) + "\n",
  );
  printTable("one at a time: where the time goes (p50 ms since the API create)", ["step", "ms"], profile);
  printTable(`pod startup (${N} pods of ${IMAGE}, 1 node, ${new Date().toISOString()})`, ["mode", "path", "p50 ms", "p99 ms", "p50 ratio"], rows);
}, 3_600_000); // a loaded machine takes many minutes for 4 × 30 containers
