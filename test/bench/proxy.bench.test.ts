// npm run bench:proxy — the proxy process on loopback against a Node.js backend process, side by
// side with the same client (this process) talking to the backend directly: bulk throughput,
// and request rate and p50/p99 latency of short request/response round trips. Targets: ≥70% of
// direct throughput, <0.3 ms added p50. A second table shows where the CPU went in each bulk
// phase (user+sys time of client, backend and proxy, from /proc), since on a small machine the
// three processes compete for the same cores. Then iperf3 both ways (client → endpoint and
// -R endpoint → client): direct (the floor), through the Skiff proxy, and through Debian's
// haproxy (the anchor, splice on, one thread); goal ≥ 75 % of direct both ways and ahead of
// haproxy. Results: bench-results/proxy.json.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { percentile, printTable } from "./stats.js";
import { startRig, entry, bulk, upload, pingPong, type ProxyRig } from "../proxy/harness.js";
import { haproxy, iperf, iperfServer, version } from "../proxy/iperf.js";
import { freePort, repoRoot } from "../harness/cluster.js";

/** Figures of both measurements, written to bench-results/proxy.json at the end. */
const results: Record<string, unknown> = {};

/** user+sys CPU ms of a process (Linux /proc; clock ticks are 100 Hz on every Linux we run). */
function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return (Number(rest[11]) + Number(rest[12])) * 10; // fields 14 and 15 (utime, stime)
}

/** ns the main thread of a process waited runnable for a CPU (/proc/<pid>/schedstat, field 2). */
function waitMs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[1]) / 1e6;
}

let rig: ProxyRig;
beforeAll(async () => {
  rig = await startRig();
  await rig.setTable([
    entry("bench/bulk:1", rig.proxyBulkPort, [{ ip: "127.0.0.1", port: rig.bulkPort }]),
    entry("bench/echo:1", rig.proxyEchoPort, [{ ip: "127.0.0.1", port: rig.echoPort }]),
    entry("bench/sink:1", rig.proxySinkPort, [{ ip: "127.0.0.1", port: rig.sinkPort }]),
  ]);
});
afterAll(async () => {
  await rig?.stop();
});

it("measures the proxy against direct connections", async () => {
  const BYTES = 512 * 1024 * 1024,
    RUNS = Number(process.env.SKIFF_BENCH_RUNS ?? 5),
    N = 10_000;
  const cpu = () => ({
    client: cpuMs(process.pid),
    backend: cpuMs(rig.pids.backend),
    proxy: cpuMs(rig.pids.proxy),
    wall: performance.now(),
    wait: waitMs(process.pid) + waitMs(rig.pids.backend) + waitMs(rig.pids.proxy),
  });
  const zero = () => ({ mbps: 0, client: 0, backend: 0, proxy: 0, wall: 0, wait: 0 });
  const direct = zero(),
    proxied = zero();
  /** One bulk run; keeps the best rate and adds up CPU and wall time. */
  const run = async (port: number, acc: ReturnType<typeof zero>) => {
    const c0 = cpu();
    acc.mbps = Math.max(acc.mbps, await bulk(port, BYTES));
    const c1 = cpu();
    for (const k of ["client", "backend", "proxy"] as const) acc[k] += c1[k] - c0[k];
    acc.wall += c1.wall - c0.wall;
    acc.wait += c1.wait - c0.wait;
  };
  await bulk(rig.proxyBulkPort, 64 * 1024 * 1024); // warm-up
  await bulk(rig.bulkPort, 64 * 1024 * 1024);
  // Alternate direct and proxied runs so that load from other work on the machine hits both alike.
  for (let i = 0; i < RUNS; i++) {
    await run(rig.bulkPort, direct);
    await run(rig.proxyBulkPort, proxied);
  }
  // Upload (client → endpoint): the proxy's other direction, on Node's standard read path (accepted sockets cannot take `onread`).
  let upDirect = 0,
    upProxy = 0;
  for (let i = 0; i < RUNS; i++) {
    upDirect = Math.max(upDirect, await upload(rig.sinkPort, BYTES / 2));
    upProxy = Math.max(upProxy, await upload(rig.proxySinkPort, BYTES / 2));
  }
  const gb = (RUNS * BYTES) / 1e9;
  const perGB = (a: ReturnType<typeof zero>) => ({
    client: a.client / gb,
    backend: a.backend / gb,
    proxy: a.proxy / gb,
    busy: (a.client + a.backend + a.proxy) / a.wall,
    wait: a.wait / gb,
  });
  await pingPong(rig.echoPort, 1000);
  await pingPong(rig.proxyEchoPort, 1000); // warm-up
  const dl: number[] = [],
    pl: number[] = [];
  for (let i = 0; i < 5; i++) {
    dl.push(...(await pingPong(rig.echoPort, N / 5)));
    pl.push(...(await pingPong(rig.proxyEchoPort, N / 5)));
  }
  const rate = (l: number[]) => Math.round(l.length / (l.reduce((a, b) => a + b, 0) / 1000));
  const p = (l: number[], q: number) => percentile(l, q).toFixed(3);
  printTable(
    `proxy vs direct (loopback, 1 connection; best of ${RUNS} alternating bulk runs of ${BYTES >> 20} MiB; ${N} round trips)`,
    ["path", "throughput MB/s", "req/s", "p50 ms", "p99 ms"],
    [
      ["direct", direct.mbps.toFixed(0), rate(dl), p(dl, 50), p(dl, 99)],
      ["proxy", proxied.mbps.toFixed(0), rate(pl), p(pl, 50), p(pl, 99)],
      [
        "ratio / added",
        `${((proxied.mbps / direct.mbps) * 100).toFixed(1)}%`,
        `${((rate(pl) / rate(dl)) * 100).toFixed(1)}%`,
        `+${(percentile(pl, 50) - percentile(dl, 50)).toFixed(3)}`,
        `+${(percentile(pl, 99) - percentile(dl, 99)).toFixed(3)}`,
      ],
    ],
  );
  const ms = (x: number) => x.toFixed(0);
  const dc = perGB(direct),
    pc = perGB(proxied);
  printTable(
    `upload through the proxy (best of ${RUNS} alternating runs of ${BYTES >> 21} MiB)`,
    ["path", "throughput MB/s"],
    [
      ["direct", upDirect.toFixed(0)],
      ["proxy", upProxy.toFixed(0)],
      ["ratio", `${((upProxy / upDirect) * 100).toFixed(1)}%`],
    ],
  );
  printTable(
    `where the time goes, per GB moved in the bulk phase (ms; CPU = user+sys; run-queue wait = runnable but no core free, summed over the processes; cores busy = their CPU / wall time; ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)})`,
    ["path", "client CPU", "backend CPU", "proxy CPU", "total CPU", "run-queue wait", "cores busy"],
    [
      ["direct", ms(dc.client), ms(dc.backend), "-", ms(dc.client + dc.backend), ms(dc.wait), dc.busy.toFixed(2)],
      ["proxy", ms(pc.client), ms(pc.backend), ms(pc.proxy), ms(pc.client + pc.backend + pc.proxy), ms(pc.wait), pc.busy.toFixed(2)],
    ],
  );
  Object.assign(results, {
    node_client: {
      bulk_mb_per_s: { direct: Math.round(direct.mbps), proxy: Math.round(proxied.mbps), ratio: proxied.mbps / direct.mbps },
      upload_mb_per_s: { direct: Math.round(upDirect), proxy: Math.round(upProxy), ratio: upProxy / upDirect },
      round_trips: {
        direct: { rps: rate(dl), p50_ms: percentile(dl, 50), p99_ms: percentile(dl, 99) },
        proxy: { rps: rate(pl), p50_ms: percentile(pl, 50), p99_ms: percentile(pl, 99) },
      },
      runs: RUNS,
      bytes: BYTES,
    },
  });
  expect(proxied.mbps).toBeGreaterThan(0);
});

it("measures both directions with iperf3: direct, the Skiff proxy, haproxy", async () => {
  const SECONDS = Number(process.env.SKIFF_BENCH_IPERF_SECONDS ?? 4),
    RUNS = Number(process.env.SKIFF_BENCH_IPERF_RUNS ?? 1);
  const dir = mkdtempSync(join(tmpdir(), "skiff-bench-proxy-"));
  const [serverPort, skiffPort, haPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const server = await iperfServer(serverPort);
  const ha = await haproxy(dir, haPort, serverPort);
  try {
    await rig.setTable([entry("bench/iperf:1", skiffPort, [{ ip: "127.0.0.1", port: serverPort }])]);
    const paths = { direct: serverPort, skiff: skiffPort, haproxy: haPort } as const;
    const best: Record<"up" | "down", Record<keyof typeof paths, number>> = {
      up: { direct: 0, skiff: 0, haproxy: 0 },
      down: { direct: 0, skiff: 0, haproxy: 0 },
    };
    // CPU ms of the proxy process per GB moved (user+sys from /proc): what bounds throughput once
    // the cores are busy, and far less sensitive than Gbit/s to what else runs on the machine.
    const pids = { skiff: rig.pids.proxy, haproxy: ha.proc.pid! };
    const cpuPerGB: Record<"up" | "down", { skiff: number; haproxy: number }> = { up: { skiff: 0, haproxy: 0 }, down: { skiff: 0, haproxy: 0 } };
    const gbMoved = { up: { skiff: 0, haproxy: 0 }, down: { skiff: 0, haproxy: 0 } };
    await iperf(skiffPort, 1, false); // warm-up (V8 compiles the relay's hot path)
    for (let i = 0; i < RUNS; i++) {
      for (const dirn of ["up", "down"] as const) {
        for (const path of ["direct", "skiff", "haproxy"] as const) {
          const c0 = path === "direct" ? 0 : cpuMs(pids[path]);
          const g = await iperf(paths[path], SECONDS, dirn === "down");
          best[dirn][path] = Math.max(best[dirn][path], g);
          if (path !== "direct") {
            cpuPerGB[dirn][path] += cpuMs(pids[path]) - c0;
            gbMoved[dirn][path] += (g * SECONDS) / 8;
          }
        }
      }
    }
    for (const d of ["up", "down"] as const) for (const p of ["skiff", "haproxy"] as const) cpuPerGB[d][p] = Math.round(cpuPerGB[d][p] / gbMoved[d][p]);
    const pct = (x: number, d: number) => `${((x / d) * 100).toFixed(0)}%`;
    const load = loadavg()[0];
    printTable(
      `iperf3 over loopback, Gbit/s (best of ${RUNS} × ${SECONDS} s; haproxy ${await version("haproxy", "-v")}, nbthread 1, splice-auto; ${cpus().length} cores, load average ${load.toFixed(1)})`,
      ["direction", "direct", "Skiff proxy", "haproxy", "Skiff / direct", "haproxy / direct", "Skiff / haproxy", "Skiff CPU ms/GB", "haproxy CPU ms/GB"],
      (["up", "down"] as const).map((d) => [
        d === "up" ? "client → endpoint" : "endpoint → client (-R)",
        best[d].direct.toFixed(1),
        best[d].skiff.toFixed(1),
        best[d].haproxy.toFixed(1),
        pct(best[d].skiff, best[d].direct),
        pct(best[d].haproxy, best[d].direct),
        `${(best[d].skiff / best[d].haproxy).toFixed(2)}×`,
        String(cpuPerGB[d].skiff),
        String(cpuPerGB[d].haproxy),
      ]),
    );
    Object.assign(results, {
      iperf3: {
        gbit_per_s: best,
        proxy_cpu_ms_per_gb: cpuPerGB,
        seconds: SECONDS,
        runs: RUNS,
        ratio_client_to_endpoint: best.up.skiff / best.up.direct,
        ratio_endpoint_to_client: best.down.skiff / best.down.direct,
        vs_haproxy_client_to_endpoint: best.up.skiff / best.up.haproxy,
        vs_haproxy_endpoint_to_client: best.down.skiff / best.down.haproxy,
        haproxy: await version("haproxy", "-v"),
        iperf3: await version("iperf3", "--version"),
      },
    });
    mkdirSync(join(repoRoot, "bench-results"), { recursive: true });
    writeFileSync(
      join(repoRoot, "bench-results", "proxy.json"),
      JSON.stringify({ name: "proxy", at: new Date().toISOString(), cores: cpus().length, load, ...results }, null, 2) + "\n",
    );
    expect(best.up.skiff).toBeGreaterThan(0);
  } finally {
    await ha.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
