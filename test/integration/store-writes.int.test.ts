// The store's write path against a real nats-server: many compare-and-set writes in flight at
// once. Conflicting writes are retried by the registry's read-modify-write loop (which starts
// from the watch cache) and none is lost or stored twice; creates take one round trip for a new
// key and still refuse an existing one, also after a delete marker.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "@skiff/log";
import { waitFor } from "@skiff/client";
import { isConflict, type ConfigMap } from "@skiff/api";
import { Store, RevisionMismatch, type StoreEvent } from "../../services/apiserver/src/storage/store.js";
import { Registry } from "../../services/apiserver/src/registry/registry.js";
import { AckPublisher } from "../../services/apiserver/src/storage/publisher.js";
import { transient } from "../../services/apiserver/src/storage/retry.js";
import { connect } from "@nats-io/transport-node";
import { headers as natsHeaders } from "@nats-io/nats-core";
import { JetStreamApiError } from "@nats-io/jetstream";
import { freePort } from "../harness/cluster.js";

let nats: ChildProcess;
let dir: string;
let store: Store;
let natsUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "skiff-store-"));
  const port = await freePort();
  natsUrl = `nats://127.0.0.1:${port}`;
  nats = spawn("nats-server", ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", join(dir, "js")], { stdio: "ignore" });
  store = await waitFor(
    () => Store.open({ servers: [natsUrl], bucket: "writes", replicas: 1, log: silentLogger() }).catch(() => undefined),
    20_000,
    "nats-server and the store",
  );
}, 30_000);

afterAll(async () => {
  await store?.close();
  // Wait for nats-server to exit: it may still be writing its store while it stops, and removing
  // the directory under it then fails (ENOTEMPTY).
  if (nats && nats.exitCode === null && nats.signalCode === null) {
    const exited = new Promise((r) => nats.once("exit", r));
    nats.kill();
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe("store writes in flight together", () => {
  it("stores each of 40 concurrent increments of one object once when acknowledged, never when refused", async () => {
    const registry = new Registry(store, silentLogger());
    await registry.create("namespaces", undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } });
    const created = await registry.create("configmaps", "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "counter" }, data: { n: "0" } });
    const events: StoreEvent[] = [];
    const stop = await store.watch(
      "configmaps.>",
      Number(created.metadata.resourceVersion),
      (e) => events.push(e),
      () => undefined,
    );
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, () =>
          registry.update("configmaps", "default", "counter", (cur) => {
            const c = cur as ConfigMap;
            return { ...c, data: { n: String(Number(c.data!.n) + 1) } };
          }),
        ),
      );
      const ok = results.filter((r) => r.status === "fulfilled").length;
      // A writer that lost the compare-and-set on every attempt is told so (Conflict), as in Kubernetes.
      for (const r of results) if (r.status === "rejected") expect(isConflict(r.reason)).toBe(true);
      expect(ok).toBeGreaterThanOrEqual(5);
      const final = (await registry.get("configmaps", "default", "counter")) as ConfigMap;
      expect(final.data!.n).toBe(String(ok));
      // Exactly the acknowledged writes reached the stream: none lost, none stored twice.
      await waitFor(() => events.length >= ok, 10_000, `${ok} watch events`);
      await new Promise((r) => setTimeout(r, 200));
      expect(events.map((e) => JSON.parse(new TextDecoder().decode(e.value)).data.n)).toEqual(Array.from({ length: ok }, (_, i) => String(i + 1)));
    } finally {
      stop();
    }
  });

  it("lets exactly one of 20 concurrent creates of one key win", async () => {
    const value = new TextEncoder().encode("{}");
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => store.create("configmaps.default.race", value)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.filter((r) => r.status === "rejected");
    expect(refused).toHaveLength(19);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(RevisionMismatch);
  });

  it("creates a key again after its delete marker, and refuses it while it lives", async () => {
    const v = (s: string) => new TextEncoder().encode(JSON.stringify({ s }));
    const r1 = await store.create("configmaps.default.again", v("one"));
    const r2 = await store.delete("configmaps.default.again", v("one"), r1);
    const r3 = await store.create("configmaps.default.again", v("two"));
    expect(r3).toBeGreaterThan(r2);
    await expect(store.create("configmaps.default.again", v("three"))).rejects.toBeInstanceOf(RevisionMismatch);
    const got = await store.get("configmaps.default.again");
    expect(JSON.parse(new TextDecoder().decode(got!.value))).toEqual({ s: "two" });
  });

  it("keeps 500 writes to different keys in flight at once, each stored once", async () => {
    const before = await store.currentRevision();
    const revs = await Promise.all(Array.from({ length: 500 }, (_, i) => store.create(`configmaps.default.many-${i}`, new TextEncoder().encode(String(i)))));
    expect(new Set(revs).size).toBe(500);
    expect(await store.currentRevision()).toBe(before + 500);
  });
});

// The store's publishes go through AckPublisher (one reply subscription for every ack, instead of
// nats.js's request per publish); what the store relies on, against the real server.
describe("pipelined publishes (AckPublisher)", () => {
  /** Runs `fn` with a publisher on a connection of its own, closed afterwards. */
  const withPublisher = async (fn: (p: AckPublisher) => Promise<void>) => {
    const nc = await connect({ servers: [natsUrl] });
    try {
      await fn(new AckPublisher(nc, 5000));
    } finally {
      await nc.close();
    }
  };
  const bytes = (s: string) => new TextEncoder().encode(s);

  it("answers a publish sent again with its message id (its ack lost, the attempt retried) with the first one's sequence, storing it once", () =>
    withPublisher(async (p) => {
      const subject = "$KV.writes.configmaps.default.retried";
      const first = await p.publish(subject, bytes("a"), natsHeaders(), "id-retried", 0);
      const before = await store.currentRevision();
      // The retry carries the same expectation as the first attempt, which no longer holds.
      const again = await p.publish(subject, bytes("a"), natsHeaders(), "id-retried", 0);
      expect(again).toBe(first);
      expect(await store.currentRevision()).toBe(before);
    }));

  it("refuses a stale expected sequence with JetStream's wrong-last-sequence error, and a subject nothing stores as transient", () =>
    withPublisher(async (p) => {
      const subject = "$KV.writes.configmaps.default.stale";
      const seq = await p.publish(subject, bytes("a"), natsHeaders(), "id-stale-1", 0);
      const err = await p.publish(subject, bytes("b"), natsHeaders(), "id-stale-2", seq - 1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JetStreamApiError);
      expect((err as JetStreamApiError).apiError().err_code).toBe(10071);
      const none = await p.publish("no.stream.here", bytes("x"), natsHeaders(), "id-none", 0).catch((e: unknown) => e);
      expect(transient(none)).toBe(true);
    }));

  it("settles what is in flight when the connection closes (acked or failed, never left waiting)", async () => {
    const nc = await connect({ servers: [natsUrl] });
    const p = new AckPublisher(nc, 5000);
    const pending = p.publish("$KV.writes.configmaps.default.closing", bytes("a"), natsHeaders(), "id-closing", 0);
    await nc.close();
    const settled = await Promise.race([
      pending.then(
        () => "acked",
        () => "failed",
      ),
      new Promise((r) => setTimeout(() => r("hung"), 3000)),
    ]);
    expect(["acked", "failed"]).toContain(settled);
  });
});
