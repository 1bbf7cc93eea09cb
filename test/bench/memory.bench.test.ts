// npm run bench:memory — resident memory (RSS, from /proc) of every Skiff process, idle and with
// 1,000 pods: a real cluster (nats, apiserver, scheduler, controller-manager, one real node agent
// with its proxy and DNS) plus a process of hollow nodes that runs the pods (SKIFF_BENCH_PODS,
// SKIFF_BENCH_HOLLOW_NODES and SKIFF_BENCH_SERVICES change the load). The floor is an idle bare
// Node.js process measured in the same run. Every component runs with the flags and environment
// of @skiff/client/launch, as `skiff up` starts them. Beside the sums of RSS, the physical memory
// each group (control plane; node agent + proxy + dns) occupies together, shared pages counted
// once (pagemap.ts): the `node` binary's pages are in every process's RSS. Writes
// bench-results/memory.json.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import type { Pod, Service } from "@skiff/api";
import { nodeEnv, nodeFlags } from "@skiff/client/launch";
import { type Proc, TestCluster } from "../harness/cluster.js";
import { printTable } from "./stats.js";
import { distinctResidentMB } from "./pagemap.js";

const PODS = Number(process.env.SKIFF_BENCH_PODS ?? 1000);
const HOLLOW = Number(process.env.SKIFF_BENCH_HOLLOW_NODES ?? 20);
const SERVICES = Number(process.env.SKIFF_BENCH_SERVICES ?? 20);
/** How long the pods may take to run (a loaded machine is slow); past it the figures are taken with the pods running then, and say so. */
const LOAD_TIMEOUT_S = Number(process.env.SKIFF_BENCH_LOAD_TIMEOUT_S ?? 1500);

/** Resident set size of a process in MB (VmRSS). */
function rssMB(pid: number | undefined, withChildren = false): number {
  if (!pid) return NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  const own = m ? Number(m[1]) / 1024 : NaN;
  if (!withChildren) return own;
  // The ingress controller's worker processes (--workers) count with it.
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  return own + children.reduce((a, c) => a + rssMB(c), 0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it(`reports the RSS of every process idle and with ${PODS} pods`, async () => {
  // The floor: what an idle Node.js process (this machine's node binary) holds.
  const bare = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  await sleep(1500);
  const floorMB = rssMB(bare.pid);
  bare.kill();

  const cluster = new TestCluster({ nodes: 1 });
  let hollow: Proc | undefined;
  try {
    await cluster.start();
    const node = cluster.nodeName(0);
    const run = cluster.runDir(node);
    const state = (f: string) => JSON.parse(readFileSync(join(run, f), "utf8")) as { pid: number };
    const pids = {
      apiserver: cluster.apiserver?.child.pid,
      scheduler: cluster.scheduler?.child.pid,
      "controller-manager": cluster.controllerManager?.child.pid,
      "node-agent": cluster.agents.get(node)?.child.pid,
      proxy: state("proxy.json").pid,
      dns: state("dns.json").pid,
      ingress: state("ingress.json").pid,
      "nats-server": cluster.nats?.child.pid,
    };
    const sample = () => Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, rssMB(pid, k === "ingress")])) as Record<keyof typeof pids, number>;
    const cpPids = [pids.apiserver, pids.scheduler, pids["controller-manager"]];
    const nodePids = [pids["node-agent"], pids.proxy, pids.dns];
    /** Physical memory of each group, shared pages once (undefined where frames cannot be read). */
    const together = () => ({ control_plane: distinctResidentMB(cpPids), node: distinctResidentMB(nodePids) });
    await sleep(5000); // settle after start
    const idle = sample();
    const idleTogether = together();

    hollow = cluster.startHollowNodes(HOLLOW, ["--heartbeat-ms", "5000", "--max-pods", String(Math.ceil(PODS / HOLLOW) + 10)]);

    await hollow.ready;
    const client = cluster.client;
    for (let s = 0; s < SERVICES; s++) {
      await client.create("services", {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: `mem-${s}`, namespace: "default" },
        spec: { selector: { app: `mem-${s}` }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
      } as Service);
    }
    const peak = { ...idle };
    const sampler = setInterval(() => {
      for (const [k, v] of Object.entries(sample())) peak[k as keyof typeof peak] = Math.max(peak[k as keyof typeof peak], v);
    }, 500);
    const t0 = performance.now();
    let created = 0,
      runningNow = 0,
      next = 0,
      stopCreating = false;
    const progress = setInterval(
      () => process.stderr.write(`memory bench: created ${created}, running ${runningNow} after ${((performance.now() - t0) / 1000).toFixed(0)} s\n`),
      10_000,
    );
    try {
      void Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < PODS && !stopCreating) {
            const i = next++;
            await client.create("pods", {
              apiVersion: "v1",
              kind: "Pod",
              metadata: { name: `mem-${i}`, namespace: "default", labels: { app: `mem-${i % Math.max(1, SERVICES)}` } },
              spec: {
                nodeSelector: { "skiff.io/hollow": "true" },
                containers: [{ name: "c", image: "skiff/pause:3.9", resources: { requests: { cpu: "1m", memory: "1Mi" } } }],
              },
            } as Pod);
            created++;
          }
        }),
      ).catch((err: Error) => process.stderr.write(`memory bench: creating pods failed: ${err.message}\n`));
      const deadline = t0 + LOAD_TIMEOUT_S * 1000;
      while (next < PODS && performance.now() < deadline) await sleep(1000);
      await waitFor(
        async () => (runningNow = (await client.list<Pod>("pods", { namespace: "default" })).items.filter((p) => p.status?.phase === "Running").length) >= PODS,
        Math.max(1000, deadline - performance.now()),
        `${PODS} pods Running`,
        5000,
      ).catch(() => process.stderr.write(`memory bench: only ${runningNow} of ${PODS} pods Running after ${LOAD_TIMEOUT_S} s; measuring with those\n`));
      await sleep(10_000); // let informers, endpoints and the proxy table settle
    } finally {
      stopCreating = true;
      clearInterval(sampler);
      clearInterval(progress);
    }
    const loadSeconds = (performance.now() - t0) / 1000;
    const loaded = sample();
    const loadedTogether = together();
    const hollowMB = rssMB(hollow.child.pid);
    const cp = (s: typeof idle) => s.apiserver + s.scheduler + s["controller-manager"];
    const nodeSum = (s: typeof idle) => s["node-agent"] + s.proxy + s.dns;
    const rows = (Object.keys(pids) as (keyof typeof pids)[])
      .filter((k) => k !== "ingress")
      .map((k) => [k, idle[k].toFixed(0), loaded[k].toFixed(0), peak[k].toFixed(0), (loaded[k] / floorMB).toFixed(1)]);
    rows.push(["control plane (apiserver+scheduler+cm)", cp(idle).toFixed(0), cp(loaded).toFixed(0), cp(peak).toFixed(0), "goal ≤ 300"]);
    rows.push(["node (agent+proxy+dns)", nodeSum(idle).toFixed(0), nodeSum(loaded).toFixed(0), nodeSum(peak).toFixed(0), "goal ≤ 150"]);
    const mb = (v: number | undefined) => (v === undefined ? "n/a (not root)" : v.toFixed(0));
    rows.push(["control plane, shared pages once", mb(idleTogether.control_plane), mb(loadedTogether.control_plane), "", ""]);
    rows.push(["node, shared pages once", mb(idleTogether.node), mb(loadedTogether.node), "", ""]);
    rows.push([
      "ingress controller (spawned by the agent)",
      idle.ingress.toFixed(0),
      loaded.ingress.toFixed(0),
      peak.ingress.toFixed(0),
      (loaded.ingress / floorMB).toFixed(1),
    ]);
    rows.push([`hollow nodes process (${HOLLOW} nodes)`, "", hollowMB.toFixed(0), "", ""]);
    rows.push(["floor: idle bare node process", floorMB.toFixed(0), "", "", "1.0"]);
    printTable(
      `memory: RSS in MB, idle and with ${runningNow} of ${PODS} pods Running on ${HOLLOW} hollow nodes, ${SERVICES} services (loaded ${loadSeconds.toFixed(0)} s)`,
      ["process", "idle MB", `${PODS} pods MB`, "peak MB", "loaded ÷ floor"],
      rows,
    );
    mkdirSync("bench-results", { recursive: true });
    writeFileSync(
      join("bench-results", "memory.json"),
      JSON.stringify(
        {
          name: "memory",
          machine: { cpus: cpus().length, memory_gib: +(totalmem() / 1024 ** 3).toFixed(1), node: process.version },
          parameters: { pods: PODS, hollow_nodes: HOLLOW, services: SERVICES, real_nodes: 1 },
          // What every component ran with (@skiff/client/launch; SKIFF_NODE_FLAGS overrides).
          node_flags: { apiserver: nodeFlags(process.env, "apiserver"), others: nodeFlags() },
          malloc_arena_max: nodeEnv().MALLOC_ARENA_MAX,
          pods_created: created,
          pods_running_when_measured: runningNow,
          figures: {
            idle_mb: idle,
            loaded_mb: loaded,
            peak_mb: peak,
            hollow_nodes_process_mb: hollowMB,
            load_seconds: loadSeconds,
          },
          control_plane_mb_idle: cp(idle),
          control_plane_mb_loaded: cp(loaded),
          control_plane_mb_peak: cp(peak),
          node_mb_idle: nodeSum(idle),
          node_mb_loaded: nodeSum(loaded),
          node_mb_peak: nodeSum(peak),
          // The same groups' physical memory, each page once (null: page frames unreadable, not root).
          together_mb: {
            idle: { control_plane: idleTogether.control_plane ?? null, node: idleTogether.node ?? null },
            loaded: { control_plane: loadedTogether.control_plane ?? null, node: loadedTogether.node ?? null },
          },
          goals: { control_plane_mb: 300, node_mb: 150 },
          floor: { bare_node_process_mb: floorMB },
          control_plane_ratio_to_floor: cp(loaded) / floorMB,
        },
        null,
        2,
      ) + "\n",
    );
    expect(loaded.apiserver).toBeGreaterThan(0);
  } finally {
    await hollow?.kill();
    await cluster.stop();
  }
}, 1_800_000);
