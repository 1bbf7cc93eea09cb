// The chaos scenario on the container topology (`skiff up --nodes N --internal`): the cluster,
// the two workloads (a ConfigMap counter writer; a Deployment behind a NodePort under client
// load), and the catalogue of faults, each applied through `skiff chaos … -o json` as a script
// would. Used by test/integration/chaos.int.test.ts (bounded subset, 2 nodes) and
// test/chaos/full.chaos.test.ts (`npm run chaos`: every fault, 3 nodes).
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { ConfigMap, Pod } from "@skiff/api";
import { ApiClient } from "@skiff/client";
import { repoRoot } from "../harness/cluster.js";
import { defaultImages } from "../../packages/cli/src/topology/plan.js";
import { CounterWriter, type Fault } from "./framework.js";
import { WebUnderLoad } from "./workloads.js";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A container topology for chaos, with its workloads. */
export class ChaosCluster {
  readonly home = mkdtempSync(join(tmpdir(), "skiff-chaos-home-"));
  readonly env = { ...process.env, SKIFF_HOME: this.home, SKIFF_SKIP_SETUP: "1" };
  readonly nodes: string[];
  client!: ApiClient;
  writer!: CounterWriter;
  web!: WebUnderLoad;
  upMs = 0;

  constructor(
    readonly name: string,
    readonly nodeCount: number,
    readonly replicas: number,
  ) {
    this.nodes = Array.from({ length: nodeCount }, (_, i) => `${name}-node-${i + 1}`);
  }

  /** `skiff ARGS…` as a script runs it. */
  async skiff(args: string[], timeoutMs = 120_000): Promise<{ out: string; err: string; code: number }> {
    try {
      const r = await run(join(repoRoot, "skiff"), args, { env: this.env, cwd: this.home, timeout: timeoutMs });
      return { out: r.stdout, err: r.stderr, code: 0 };
    } catch (e) {
      const x = e as { stdout?: string; stderr?: string; code?: number };
      return { out: x.stdout ?? "", err: x.stderr ?? String(e), code: typeof x.code === "number" ? x.code : 1 };
    }
  }

  /** `skiff chaos VERB … -o json`; returns the parsed result, throws unless ok. */
  async chaos(...args: string[]): Promise<{ ok: boolean; targets: string[]; details?: Record<string, unknown> }> {
    const r = await this.skiff(["chaos", ...args, "--name", this.name, "-o", "json"]);
    const line = r.out.trim().split("\n").at(-1) ?? "";
    let res: { ok: boolean; targets: string[]; error?: string };
    try {
      res = JSON.parse(line);
    } catch {
      throw new Error(`skiff chaos ${args.join(" ")}: no JSON (exit ${r.code}): ${r.out}${r.err}`);
    }
    if (!res.ok || r.code !== 0) throw new Error(`skiff chaos ${args.join(" ")} failed: ${res.error ?? r.err}`);
    return res;
  }

  async up(): Promise<void> {
    for (const i of Object.values(defaultImages)) {
      try {
        execFileSync("docker", ["image", "inspect", i], { stdio: "ignore" });
      } catch {
        await run("bash", [join(repoRoot, "scripts/images.sh")], { timeout: 1_200_000 });
        break;
      }
    }
    const t0 = Date.now();
    const up = await this.skiff(["up", "--nodes", String(this.nodeCount), "--name", this.name, "--internal", "--timeout", "300"], 400_000);
    this.upMs = Date.now() - t0;
    if (up.code !== 0) throw new Error(`skiff up --nodes failed: ${up.out}${up.err}`);
    const info = JSON.parse(readFileSync(join(this.home, "cluster.json"), "utf8")) as { apiserver: string };
    this.client = new ApiClient({ addresses: info.apiserver.split(","), timeoutMs: 5000, tls: { dir: join(this.home, "pki", "admin") } });
    this.writer = new CounterWriter(this.client, "chaos-counter");
    this.web = new WebUnderLoad(this.client, { replicas: this.replicas, nodes: this.nodes, entryNode: this.nodes[0] });
  }

  async down(): Promise<void> {
    this.client?.close();
    await this.skiff(["down", "--name", this.name], 300_000);
    for (const kind of ["ps", "network", "volume"] as const) {
      const ids = execFileSync(
        "docker",
        kind === "ps"
          ? ["ps", "-aq", "--filter", `label=io.skiff.topology=${this.name}`]
          : [kind, "ls", "-q", "--filter", `label=io.skiff.topology=${this.name}`],
        { encoding: "utf8" },
      )
        .split("\n")
        .filter(Boolean);
      if (ids.length) execFileSync("docker", kind === "ps" ? ["rm", "-f", "-v", ...ids] : [kind, "rm", ...ids]);
    }
    rmSync(this.home, { recursive: true, force: true });
  }

  /** ms until a write (a fresh ConfigMap) succeeds, trying every 100 ms. */
  async timeToWrite(tag: string, boundMs = 60_000): Promise<number> {
    const t0 = Date.now();
    for (let i = 0; ; i++) {
      const ok = await this.client
        .create<ConfigMap>("configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `probe-${tag}-${i}`, namespace: "default" }, data: {} })
        .then(
          () => true,
          () => false,
        );
      if (ok) return Date.now() - t0;
      if (Date.now() - t0 > boundMs) throw new Error(`no write succeeded within ${boundMs} ms (${tag})`);
      await sleep(100);
    }
  }

  /** ms until a new unscheduled pod gets bound (the scheduler acting). */
  async timeToBind(tag: string, boundMs = 90_000): Promise<number> {
    const t0 = Date.now();
    const name = `bind-${tag}`;
    await this.client.create<Pod>("pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "default", labels: { app: "probe" } },
      spec: { terminationGracePeriodSeconds: 0, containers: [{ name: "c", image: "skiff/busybox:1.35", command: ["sleep", "3600"] }] },
    } as Pod);
    for (;;) {
      const p = await this.client.get<Pod>("pods", name, "default").catch(() => undefined);
      if (p?.spec?.nodeName) break;
      if (Date.now() - t0 > boundMs) throw new Error(`${name} not bound within ${boundMs} ms`);
      await sleep(100);
    }
    const ms = Date.now() - t0;
    await this.client.delete("pods", name, "default", { gracePeriodSeconds: 0 }).catch(() => undefined);
    return ms;
  }

  /** ms until a deleted web pod is replaced by a new one (the ReplicaSet controller acting). */
  async timeToReplace(boundMs = 90_000): Promise<number> {
    const live = async () =>
      (await this.client.list<Pod>("pods", { namespace: "default", labelSelector: "app=web" })).items.filter((p) => !p.metadata.deletionTimestamp);
    const before = await live();
    const victim = before.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!))[0];
    const t0 = Date.now();
    await this.client.delete("pods", victim.metadata.name!, "default", { gracePeriodSeconds: 0 });
    const known = new Set(before.map((p) => p.metadata.uid));
    for (;;) {
      if ((await live()).some((p) => !known.has(p.metadata.uid))) return Date.now() - t0;
      if (Date.now() - t0 > boundMs) throw new Error(`deleted web pod not replaced within ${boundMs} ms`);
      await sleep(100);
    }
  }

  /** The non-entry node with the most live web pods (the last node on a tie). */
  async nodeWithMostWebPods(): Promise<string> {
    const pods = (await this.client.list<Pod>("pods", { namespace: "default", labelSelector: "app=web" })).items.filter((p) => !p.metadata.deletionTimestamp);
    const count = (n: string) => pods.filter((p) => p.spec?.nodeName === n).length;
    const candidates = this.nodes.slice(1).reverse();
    const best = candidates.reduce((a, b) => (count(b) > count(a) ? b : a));
    if (count(best) === 0) throw new Error(`no web pod runs on ${candidates.join(", ")}: a node fault would not touch the workload`);
    return best;
  }

  /** ms until the dead node is NotReady and the desired web replicas run Ready on other nodes. */
  async timeToRunElsewhere(dead: string, boundMs = 150_000): Promise<number> {
    const t0 = Date.now();
    for (;;) {
      const node = await this.client.get<{ status?: { conditions?: { type: string; status: string }[] } } & Pod>("nodes", dead).catch(() => undefined);
      const notReady = node?.status?.conditions?.find((c) => c.type === "Ready")?.status !== "True";
      if (notReady && (await this.web.replicasReady())) {
        const pods = (await this.client.list<Pod>("pods", { namespace: "default", labelSelector: "app=web" })).items;
        const elsewhere = pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === "Running" && p.spec?.nodeName !== dead);
        if (elsewhere.length >= this.replicas) return Date.now() - t0;
      }
      if (Date.now() - t0 > boundMs) throw new Error(`web replicas not Running elsewhere within ${boundMs} ms of losing ${dead}`);
      await sleep(250);
    }
  }

  /** The container a chaos result hit, brought back (`skiff chaos revive`). */
  async revive(container: string): Promise<void> {
    await this.chaos("revive", container);
  }

  /**
   * Every fault of the suite, by name. Faults hit nodes other than the entry node (the client's
   * NodePort target, like a load balancer's healthy backend) so that the client measures the
   * cluster's reaction, not the loss of its own target. Seeds make kill-pods deterministic.
   */
  faults(): Record<string, Fault> {
    const last = this.nodes[this.nodes.length - 1];
    let killed = "";
    // A node fault hits the non-entry node running the most web pods (chosen when injected), so
    // that it really takes endpoints away; the name says which node it was.
    const node = (
      verb: string,
      undoVerb: string | undefined,
      bound: number,
      errorBound: number,
      holdMs: number,
      probe?: (victim: string) => Promise<Record<string, number>>,
    ): Fault => {
      let victim = last;
      const f: Fault = {
        name: `${verb} <node with web pods>`,
        recoveryBoundMs: bound,
        errorBound,
        holdMs,
        probe: probe ? () => probe(victim) : undefined,
        inject: async () => {
          victim = await this.nodeWithMostWebPods();
          f.name = `${verb} ${victim}`;
          await this.chaos(verb, victim);
        },
        undo: undoVerb
          ? async () => {
              await this.chaos(undoVerb, victim);
            }
          : undefined,
      };
      return f;
    };
    const victim = last;
    return {
      "kill-apiserver": {
        name: "kill-apiserver 1",
        recoveryBoundMs: 30_000,
        holdMs: 8000,
        inject: async () => {
          killed = (await this.chaos("kill-apiserver", "1")).targets[0];
        },
        probe: async () => ({ apiserverLossToWriteMs: await this.timeToWrite("api") }),
        undo: async () => this.revive(killed),
      },
      // The NATS server leading the store's stream: the worst NATS loss (the stream must elect a
      // new leader before any write or consistent read can succeed).
      "kill-nats": {
        name: "kill-nats store-leader",
        recoveryBoundMs: 30_000,
        holdMs: 8000,
        inject: async () => {
          killed = (await this.chaos("kill-nats", "store-leader")).targets[0];
        },
        probe: async () => ({ natsLossToWriteMs: await this.timeToWrite("nats") }),
        undo: async () => this.revive(killed),
      },
      "kill-leader-scheduler": {
        name: "kill-leader scheduler",
        recoveryBoundMs: 60_000,
        holdMs: 0,
        inject: async () => {
          killed = (await this.chaos("kill-leader", "scheduler")).targets[0];
        },
        probe: async () => ({ schedulerLeaderLossToBindMs: await this.timeToBind(`s${Date.now().toString(36)}`) }),
        undo: async () => this.revive(killed),
      },
      "kill-leader-controller-manager": {
        name: "kill-leader controller-manager",
        recoveryBoundMs: 60_000,
        holdMs: 0,
        inject: async () => {
          killed = (await this.chaos("kill-leader", "controller-manager")).targets[0];
        },
        probe: async () => ({ controllerManagerLeaderLossToReplaceMs: await this.timeToReplace() }),
        undo: async () => this.revive(killed),
      },
      "kill-pods": {
        name: "kill-pods -l app=web --count 1 --seed 7",
        recoveryBoundMs: 60_000,
        holdMs: 0,
        errorBound: 0.5,
        inject: async () => {
          await this.chaos("kill-pods", "-l", "app=web", "--count", "1", "--seed", "7");
        },
      },
      "stress-memory": {
        name: `stress-memory ${victim} 128Mi 15s`,
        recoveryBoundMs: 60_000,
        holdMs: 15_000,
        inject: async () => {
          await this.chaos("stress-memory", victim, "--size", "128Mi", "--duration", "15s");
        },
      },
      // Node faults: the victim's endpoints fail until its pods are marked not ready
      // (node-monitor grace, 10 s), so the client's error rate while they last is bounded by the
      // victim's share of the endpoints, not zero.
      "pause-node": node("pause-node", "unpause-node", 90_000, 0.6, 20_000),
      "partition-node": node("partition-node", "heal", 90_000, 0.6, 20_000),
      // No undo: recovery is the desired replicas Running and Ready on the remaining nodes
      // (NotReady after 10 s, eviction 20 s later, then rescheduled); sinceInjectMs is the measure.
      "kill-node": node("kill-node", undefined, 150_000, 0.6, 0, async (v) => ({ nodeLossToRunningElsewhereMs: await this.timeToRunElsewhere(v) })),
    };
  }
}
