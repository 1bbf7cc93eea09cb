// npm run bench:api — the API's write path. Store level first, on plain nats-servers started
// here: raw JetStream publishes (the floor: one round trip each, pipelined from C loops), the
// apiserver's Store on one server and on a 3-replica stream. Then a real apiserver (TLS NATS,
// RBAC): C concurrent clients creating and updating ConfigMaps through gRPC and through HTTPS
// (writes/s, p50/p99), a paced run at SKIFF_BENCH_API_RATE (500) writes/s, a list of
// SKIFF_BENCH_API_LIST (10,000) pods, and one write seen by SKIFF_BENCH_API_WATCHERS (100)
// watchers (fan-out latency). Writes bench-results/api.json.
import { expect, it } from "vitest";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { ApiClient, waitFor, type WatchHandle } from "@skiff/client";
import { silentLogger } from "@skiff/log";
import type { ConfigMap, Pod } from "@skiff/api";
import { Store } from "../../services/apiserver/src/storage/store.js";
import { TestCluster } from "../harness/cluster.js";
import { closedLoop, https, paced, startNats, type LoadFigures } from "./api-load.js";
import { writeBenchResult } from "./results.js";
import { percentile, printTable } from "./stats.js";

/**
 * Writes per closed-loop row (half creates, half updates through each front). 12,000 gives each
 * API phase ~3 s: with 4,000 (~1 s phases) the peak moved 1,429–2,068 writes/s between runs of
 * the same build, one GC or scheduling hiccup being a large share of a phase.
 */
const WRITES = Number(process.env.SKIFF_BENCH_API_WRITES ?? 12_000);
const CLIENTS = Number(process.env.SKIFF_BENCH_API_CLIENTS ?? 32);
const RATE = Number(process.env.SKIFF_BENCH_API_RATE ?? 500);
const PACED_SECONDS = Number(process.env.SKIFF_BENCH_API_PACED_SECONDS ?? 6);
const LIST = Number(process.env.SKIFF_BENCH_API_LIST ?? 10_000);
const WATCHERS = Number(process.env.SKIFF_BENCH_API_WATCHERS ?? 100);
const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

/** Raw JetStream and the Store on `replicas` servers: creates then updates of WRITES/2 keys. */
async function storeLevel(replicas: 1 | 3): Promise<Record<string, LoadFigures>> {
  const nats = await startNats(replicas);
  try {
    const store = await waitFor(
      () => Store.open({ servers: nats.urls, bucket: "bench", replicas, log: silentLogger(), cache: false }).catch(() => undefined),
      30_000,
      "store",
    );
    const nc = await connect({ servers: nats.urls, noAsyncTraces: true });
    try {
      await (await jetstreamManager(nc)).streams.add({ name: "FLOOR", subjects: ["floor.>"], num_replicas: replicas, max_msgs_per_subject: 1 });
      const js = jetstream(nc);
      const half = Math.floor(WRITES / 2);
      const raw = await closedLoop(WRITES, CLIENTS, async (i) => {
        await js.publish(`floor.k${i}`, enc({ i }), { expect: { lastSubjectSequence: 0 } });
      });
      const revs: number[] = [];
      const create = await closedLoop(half, CLIENTS, async (i) => {
        revs[i] = await store.create(`configmaps.default.k${i}`, enc({ i }));
      });
      const update = await closedLoop(half, CLIENTS, async (i) => {
        await store.update(`configmaps.default.k${i}`, enc({ i, u: 1 }), revs[i]);
      });
      return { [`raw JetStream publish R${replicas} (floor)`]: raw, [`Store.create R${replicas}`]: create, [`Store.update R${replicas}`]: update };
    } finally {
      await nc.close();
      await store.close();
    }
  } finally {
    await nats.stop();
  }
}

it(`API write path: ${WRITES} writes from ${CLIENTS} clients, paced ${RATE}/s, a list of ${LIST} pods, ${WATCHERS} watchers`, {
  timeout: 3_600_000,
}, async () => {
  const rows: Record<string, LoadFigures> = { ...(await storeLevel(1)), ...(await storeLevel(3)) };
  const cluster = new TestCluster({ nodes: 0, scheduler: false });
  const clients: ApiClient[] = [];
  const watches: WatchHandle[] = [];
  const list: { grpcMs: number[]; httpsMs: number[] } = { grpcMs: [], httpsMs: [] };
  const listErrors: string[] = [];
  const fanout: { lastMs: number[]; allMs: number[] } = { lastMs: [], allMs: [] };
  try {
    await cluster.start();
    for (let i = 0; i < Math.min(CLIENTS, 8); i++) clients.push(new ApiClient({ addresses: [cluster.apiAddress], tls: { dir: cluster.tlsDir("admin") } }));
    const rest = await https(cluster, CLIENTS);
    const cm = (name: string, v: number): ConfigMap => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace: "default" },
      data: { v: String(v) },
    });
    // A warm-up that is not measured: connections, TLS sessions and the JIT are ready before the
    // first measured phase (the first phase measured cold ran at a quarter of the others' rate).
    await closedLoop(400, CLIENTS, async (i, c) => {
      const o = await clients[c % clients.length].create("configmaps", cm(`w-${i}`, 0));
      await clients[c % clients.length].update("configmaps", { ...o, data: { v: "1" } });
      await rest("PUT", `/api/v1/namespaces/default/configmaps/w-${i}`, { ...o, metadata: { ...o.metadata, resourceVersion: undefined }, data: { v: "2" } });
    });
    // Creates, then updates of the created objects (each a compare-and-set on the version read).
    const half = Math.floor(WRITES / 2);
    const made: ConfigMap[] = [];
    rows["gRPC create"] = await closedLoop(half, CLIENTS, async (i, c) => {
      made[i] = await clients[c % clients.length].create("configmaps", cm(`g-${i}`, 0));
    });
    rows["gRPC update"] = await closedLoop(half, CLIENTS, async (i, c) => {
      await clients[c % clients.length].update("configmaps", { ...made[i], data: { v: "1" } });
    });
    const hmade: ConfigMap[] = [];
    rows["HTTPS create"] = await closedLoop(half, CLIENTS, async (i) => {
      hmade[i] = JSON.parse((await rest("POST", "/api/v1/namespaces/default/configmaps", cm(`h-${i}`, 0))).body);
    });
    rows["HTTPS update"] = await closedLoop(half, CLIENTS, async (i) => {
      await rest("PUT", `/api/v1/namespaces/default/configmaps/h-${i}`, { ...hmade[i], data: { v: "1" } });
    });
    rows[`gRPC paced ${RATE}/s`] = await paced(RATE * PACED_SECONDS, RATE, async (i) => {
      await clients[i % clients.length].create("configmaps", cm(`p-${i}`, 0));
    });

    // A list of LIST pods, through both fronts.
    const pod = (i: number): Pod => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: `l-${i}`, namespace: "default", labels: { app: "list" } },
      spec: { containers: [{ name: "c", image: "skiff/pause:3.9" }] },
    });
    rows[`gRPC create of ${LIST} pods`] = await closedLoop(LIST, CLIENTS, async (i, c) => {
      await clients[c % clients.length].create("pods", pod(i));
    });
    for (let r = 0; r < 3; r++) {
      let t = performance.now();
      // A failed list is recorded (and fails the run at the end), the other phases still measured.
      try {
        const items = (await clients[0].list<Pod>("pods", { namespace: "default" })).items;
        list.grpcMs.push(performance.now() - t);
        expect(items.length).toBe(LIST);
      } catch (err) {
        listErrors.push(`gRPC: ${(err as Error).message}`);
      }
      t = performance.now();
      const body = (await rest("GET", "/api/v1/namespaces/default/pods")).body;
      list.httpsMs.push(performance.now() - t);
      expect(JSON.parse(body).items.length).toBe(LIST);
    }

    // Fan-out: WATCHERS watches of one namespace; each write's delivery to all of them.
    await clients[0].create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "fanout" } });
    const seen = new Map<string, number[]>();
    let ready = 0;
    for (let w = 0; w < WATCHERS; w++) {
      watches.push(
        clients[w % clients.length].watch<ConfigMap>(
          "configmaps",
          { namespace: "fanout", allowBookmarks: true },
          (e) => {
            if (e.type === "BOOKMARK") return;
            const name = e.object.metadata.name!;
            (seen.get(name) ?? seen.set(name, []).get(name)!).push(performance.now());
          },
          () => undefined,
        ),
      );
    }
    // Watches are open once a first write reaches all of them.
    await clients[0].create("configmaps", { ...cm("warm", 0), metadata: { name: "warm", namespace: "fanout" } });
    await waitFor(() => (seen.get("warm")?.length ?? 0) >= WATCHERS, 30_000, "every watcher open");
    ready = WATCHERS;
    for (let i = 0; i < 20; i++) {
      const name = `f-${i}`;
      const t0 = performance.now();
      await clients[0].create("configmaps", { ...cm(name, 0), metadata: { name, namespace: "fanout" } });
      await waitFor(() => (seen.get(name)?.length ?? 0) >= ready, 30_000, `${name} seen by every watcher`);
      const at = seen.get(name)!.map((t) => t - t0);
      fanout.lastMs.push(Math.max(...at));
      fanout.allMs.push(...at);
    }
  } finally {
    for (const w of watches) w.stop();
    for (const c of clients) c.close();
    await cluster.stop();
  }

  printTable(
    `API writes (${CLIENTS} concurrent clients; store rows on plain loopback nats-servers, API rows through a TLS apiserver)`,
    ["phase", "writes", "writes/s", "p50 ms", "p99 ms", "errors"],
    Object.entries(rows).map(([k, f]) => [k, f.writes, f.perSecond.toFixed(0), f.p50Ms.toFixed(1), f.p99Ms.toFixed(1), f.errors]),
  );
  const listRow = (k: string, xs: number[]) => [k, LIST, percentile(xs, 50).toFixed(0), Math.max(...xs).toFixed(0)];
  printTable(`list of ${LIST} pods (3 times each)`, ["front", "items", "p50 ms", "max ms"], [listRow("gRPC", list.grpcMs), listRow("HTTPS", list.httpsMs)]);
  printTable(
    `one write seen by ${WATCHERS} watchers (20 writes)`,
    ["figure", "p50 ms", "p99 ms"],
    [
      ["last watcher", percentile(fanout.lastMs, 50).toFixed(1), percentile(fanout.lastMs, 99).toFixed(1)],
      ["every delivery", percentile(fanout.allMs, 50).toFixed(1), percentile(fanout.allMs, 99).toFixed(1)],
    ],
  );
  const peak = Math.max(rows["gRPC create"].perSecond, rows["gRPC update"].perSecond, rows["HTTPS create"].perSecond, rows["HTTPS update"].perSecond);
  const floor = rows["raw JetStream publish R1 (floor)"];
  process.stdout.write(
    `\npeak API writes/s ${peak.toFixed(0)} = ${(peak / floor.perSecond).toFixed(2)}× raw JetStream (${floor.perSecond.toFixed(0)}/s); paced ${RATE}/s p99 ${rows[`gRPC paced ${RATE}/s`].p99Ms.toFixed(1)} ms\n`,
  );
  writeBenchResult("api", {
    parameters: { writes: WRITES, clients: CLIENTS, pacedRate: RATE, pacedSeconds: PACED_SECONDS, listPods: LIST, watchers: WATCHERS },
    figures: rows,
    list_ms: list,
    list_errors: listErrors,
    fanout_ms: {
      last_p50: percentile(fanout.lastMs, 50),
      last_p99: percentile(fanout.lastMs, 99),
      all_p50: percentile(fanout.allMs, 50),
      all_p99: percentile(fanout.allMs, 99),
    },
    floor:
      "raw JetStream publishes (expected last sequence 0, one round trip each) from the same number of loops, on a plain loopback nats-server; R3 the same on three clustered servers",
    peak_writes_per_second: peak,
    ratio_peak_to_floor: peak / floor.perSecond,
    paced_p99_ms: rows[`gRPC paced ${RATE}/s`].p99Ms,
    store_r3_create_per_second: rows["Store.create R3"].perSecond,
    store_r1_create_per_second: rows["Store.create R1"].perSecond,
  });
  for (const [k, f] of Object.entries(rows)) expect(f.errors, k).toBe(0);
  expect(listErrors).toEqual([]);
});
