// npm run bench:proxy — the proxy process on loopback against a Node.js backend, side by side
// with the same client talking to the backend directly: bulk throughput, and request rate and
// p50/p99 latency of short request/response round trips. Targets: ≥70% of direct
// throughput, <0.3 ms added p50.
import { afterAll, beforeAll, expect, it } from "vitest";
import { percentile, printTable } from "./stats.js";
import { startRig, entry, bulk, pingPong, type ProxyRig } from "../proxy/harness.js";

let rig: ProxyRig;
beforeAll(async () => {
  rig = await startRig();
  await rig.setTable([entry("bench/bulk:1", rig.proxyBulkPort, [{ ip: "127.0.0.1", port: rig.bulkPort }]), entry("bench/echo:1", rig.proxyEchoPort, [{ ip: "127.0.0.1", port: rig.echoPort }])]);
});
afterAll(async () => { await rig?.stop(); });

it("measures the proxy against direct connections", async () => {
  const BYTES = 1024 * 1024 * 1024, RUNS = 3, N = 10_000;
  const best = async (port: number) => { let b = 0; for (let i = 0; i < RUNS; i++) b = Math.max(b, await bulk(port, BYTES)); return b; };
  await bulk(rig.proxyBulkPort, 64 * 1024 * 1024); // warm-up
  const direct = await best(rig.bulkPort);
  const proxied = await best(rig.proxyBulkPort);
  await pingPong(rig.echoPort, 1000); await pingPong(rig.proxyEchoPort, 1000); // warm-up
  const dl = await pingPong(rig.echoPort, N);
  const pl = await pingPong(rig.proxyEchoPort, N);
  const rate = (l: number[]) => Math.round(l.length / (l.reduce((a, b) => a + b, 0) / 1000));
  const p = (l: number[], q: number) => percentile(l, q).toFixed(3);
  printTable("proxy vs direct (loopback, 1 connection)", ["path", "throughput MB/s", "req/s", "p50 ms", "p99 ms"], [
    ["direct", direct.toFixed(0), rate(dl), p(dl, 50), p(dl, 99)],
    ["proxy", proxied.toFixed(0), rate(pl), p(pl, 50), p(pl, 99)],
    ["ratio / added", `${((proxied / direct) * 100).toFixed(1)}%`, `${((rate(pl) / rate(dl)) * 100).toFixed(1)}%`, `+${(percentile(pl, 50) - percentile(dl, 50)).toFixed(3)}`, `+${(percentile(pl, 99) - percentile(dl, 99)).toFixed(3)}`],
  ]);
  expect(proxied).toBeGreaterThan(0);
});
