// The apiserver over a real nats-server and real gRPC: validation that writes nothing,
// optimistic concurrency, watches that resume and expire, selectors, and restarts that lose
// nothing. No node agent: these are API semantics.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, waitFor, type WatchEventOf } from "@skiff/client";
import { isConflict, isInvalid, isGone, isNotFound, type Pod, type KObject, ApiError } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";

function pod(name: string, labels: Record<string, string> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels },
    spec: { containers: [{ name: "c", image: "skiff/busybox:1.35" }] },
  };
}

describe("apiserver", () => {
  // Compaction runs every second and removes delete markers older than 3 s, so Gone is testable.
  const cluster = new TestCluster({
    nodes: 0,
    scheduler: false,
    apiserverFlags: ["--compact-interval-ms", "1000", "--compact-after-ms", "3000", "--bookmark-interval-ms", "500"],
  });
  let client: ApiClient;
  beforeAll(async () => {
    await cluster.start();
    client = cluster.client;
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it("starts with the default and kube-system namespaces", async () => {
    const names = (await client.list("namespaces")).items.map((n) => n.metadata.name);
    expect(names).toEqual(expect.arrayContaining(["default", "kube-system"]));
  });

  it("fills defaults on create", async () => {
    const p = await client.create<Pod>("pods", {
      ...pod("defaults"),
      spec: {
        containers: [
          { name: "a", image: "skiff/busybox:1.35" },
          { name: "b", image: "skiff/busybox" },
        ],
      },
    });
    expect(p.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(p.metadata.creationTimestamp).toMatch(/Z$/);
    expect(p.metadata.generation).toBe(1);
    expect(Number(p.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(p.spec.restartPolicy).toBe("Always");
    expect(p.spec.terminationGracePeriodSeconds).toBe(30);
    expect(p.spec.containers[0].imagePullPolicy).toBe("IfNotPresent");
    expect(p.spec.containers[1].imagePullPolicy).toBe("Always"); // no tag means latest
    expect(p.status?.phase).toBe("Pending");
  });

  it("rejects bad input with field paths and writes nothing", async () => {
    // The cluster's own start-up writes (each namespace's kube-root-ca.crt, default service
    // accounts) settle first: the revision must then stay put through the bad requests.
    let last = "";
    await waitFor(
      async () => {
        const rv = (await client.list("namespaces")).resourceVersion;
        const quiet = rv === last;
        last = rv;
        if (!quiet) await new Promise((r) => setTimeout(r, 1500));
        return quiet;
      },
      30_000,
      "the cluster's start-up writes to settle",
    );
    const before = await client.list("pods", { namespace: "default" });
    const bad: [KObject, RegExp][] = [
      [{ ...pod("no-image"), spec: { containers: [{ name: "c" }] } } as unknown as KObject, /spec\.containers\[0\]\.image: Required value/],
      [pod("Bad_Name"), /metadata\.name: Invalid value: "Bad_Name"/],
      [
        { ...pod("bad-mem"), spec: { containers: [{ name: "c", image: "x:1", resources: { limits: { memory: "lots" } } }] } } as KObject,
        /spec\.containers\[0\]\.resources\.limits\[memory\]/,
      ],
      [
        { ...pod("bad-policy"), spec: { restartPolicy: "Sometimes", containers: [{ name: "c", image: "x:1" }] } } as unknown as KObject,
        /spec\.restartPolicy: Unsupported value: "Sometimes"/,
      ],
      [
        {
          ...pod("dup"),
          spec: {
            containers: [
              { name: "c", image: "x:1" },
              { name: "c", image: "x:1" },
            ],
          },
        } as KObject,
        /spec\.containers\[1\]\.name: Duplicate value: "c"/,
      ],
    ];
    for (const [obj, msg] of bad) {
      const err = await client.create("pods", obj).then(
        () => undefined,
        (e) => e,
      );
      expect(err, JSON.stringify(obj.metadata)).toBeInstanceOf(ApiError);
      expect(isInvalid(err)).toBe(true);
      expect(err.message).toMatch(msg);
    }
    const wrongNs = await client.create("pods", { ...pod("x"), metadata: { name: "x", namespace: "nope" } }).then(
      () => undefined,
      (e) => e,
    );
    expect(isNotFound(wrongNs)).toBe(true);
    expect(wrongNs.message).toBe('namespaces "nope" not found');
    const notJsonSelector = await client.list("pods", { labelSelector: "a in (b" }).then(
      () => undefined,
      (e) => e,
    );
    expect(notJsonSelector.reason).toBe("BadRequest");
    const after = await client.list("pods", { namespace: "default" });
    expect(after.items.map((p) => p.metadata.name)).toEqual(before.items.map((p) => p.metadata.name));
    // Nothing was written: the store's revision did not move.
    expect(after.resourceVersion).toBe(before.resourceVersion);
  });

  it("lets one of two concurrent writers win and gives the other Conflict", async () => {
    const created = await client.create<Pod>("pods", pod("contended"));
    const a = { ...created, metadata: { ...created.metadata, labels: { writer: "a" } } };
    const b = { ...created, metadata: { ...created.metadata, labels: { writer: "b" } } };
    const results = await Promise.allSettled([client.update("pods", a), client.update("pods", b)]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(1);
    expect(isConflict(failed[0].reason)).toBe(true);
    expect(failed[0].reason.message).toMatch(/the object has been modified/);
    const final = await client.get<Pod>("pods", "contended", "default");
    expect(final.metadata.labels!.writer).toBe((ok[0] as PromiseFulfilledResult<Pod>).value.metadata.labels!.writer);
  });

  it("lists with label and field selectors", async () => {
    await client.create("pods", pod("sel-a", { app: "web", tier: "front" }));
    await client.create("pods", pod("sel-b", { app: "web", tier: "back" }));
    await client.create("pods", pod("sel-c", { app: "db" }));
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await client.list("pods", { namespace: "default", labelSelector, fieldSelector })).items.map((p) => p.metadata.name).sort();
    expect(await names("app=web")).toEqual(["sel-a", "sel-b"]);
    expect(await names("app in (web,db),tier!=back")).toEqual(["sel-a", "sel-c"]);
    expect(await names("tier")).toEqual(["sel-a", "sel-b"]);
    expect(await names("app,!tier")).toEqual(["sel-c"]);
    expect(await names(undefined, "metadata.name=sel-b")).toEqual(["sel-b"]);
    expect(await names("app=web", "spec.nodeName=")).toEqual(["sel-a", "sel-b"]);
    const page1 = await client.list("pods", { namespace: "default", labelSelector: "app", limit: 2 });
    expect(page1.items).toHaveLength(2);
    const page2 = await client.list("pods", { namespace: "default", labelSelector: "app", limit: 2, continueToken: page1.continueToken });
    expect(page2.items.map((p) => p.metadata.name)).toEqual(["sel-c"]);
    expect(page2.continueToken).toBe("");
  });

  it("binds a pending pod once; a second bind conflicts", async () => {
    await client.create("nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "bind-target" }, spec: {} });
    await client.create("pods", pod("to-bind"));
    const bound = await client.bind("default", "to-bind", "bind-target");
    expect((bound as Pod).spec.nodeName).toBe("bind-target");
    const again = await client.bind("default", "to-bind", "bind-target").then(
      () => undefined,
      (e) => e,
    );
    expect(isConflict(again)).toBe(true);
    await client.delete("pods", "to-bind", "default", { gracePeriodSeconds: 0 });
    await client.delete("nodes", "bind-target");
  });

  it("streams ADDED/MODIFIED/DELETED, resumes from a resourceVersion, and answers Gone when too old", async () => {
    const events: WatchEventOf[] = [];
    const start = await client.list("pods", { namespace: "default" });
    const h = client.watch(
      "pods",
      { namespace: "default", labelSelector: "watched=yes", resourceVersion: start.resourceVersion },
      (e) => events.push(e),
      () => undefined,
    );
    const p = await client.create<Pod>("pods", pod("w1", { watched: "yes" }));
    const q = await client.create<Pod>("pods", pod("w2", { watched: "yes" }));
    await client.update("pods", { ...p, metadata: { ...p.metadata, annotations: { touched: "1" } } });
    await client.delete("pods", "w1", "default");
    await waitFor(() => events.filter((e) => e.type !== "BOOKMARK").length >= 4, 10_000, "four events");

    // Resuming after w2's ADDED replays every change that came after it, in order (from the
    // apiserver's watch cache), never what came before; w1 matched the selector before its
    // change, so the client holds it: MODIFIED, as Kubernetes reports it.
    const replay: WatchEventOf[] = [];
    const h2 = client.watch(
      "pods",
      { namespace: "default", labelSelector: "watched=yes", resourceVersion: q.metadata.resourceVersion },
      (e) => replay.push(e),
      () => undefined,
    );
    await waitFor(() => replay.some((e) => e.type === "DELETED"), 10_000, "replayed deletion");
    h2.stop();
    expect(replay.filter((e) => e.type !== "BOOKMARK").map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["MODIFIED w1", "DELETED w1"]);

    await waitFor(() => events.some((e) => e.type === "BOOKMARK"), 5_000, "a bookmark");
    h.stop();
    const seen = events.filter((e) => e.type !== "BOOKMARK").map((e) => `${e.type} ${e.object.metadata.name}`);
    expect(seen).toEqual(["ADDED w1", "ADDED w2", "MODIFIED w1", "DELETED w1"]);
    const bookmark = events.find((e) => e.type === "BOOKMARK")!;
    expect(Number(bookmark.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(start.resourceVersion));

    // Once the delete marker is compacted, a watch from before it must relist: Gone.
    const gone = await waitFor(
      () =>
        new Promise<Error | undefined>((resolve) => {
          const hh = client.watch(
            "pods",
            { namespace: "default", resourceVersion: start.resourceVersion },
            () => undefined,
            (err) => resolve(err),
          );
          setTimeout(() => {
            hh.stop();
            resolve(undefined);
          }, 500);
        }),
      15_000,
      "Gone",
    );
    expect(isGone(gone)).toBe(true);
    expect(gone!.message).toMatch(/too old resource version/);

    // An object leaving a resumed watch's selection is DELETED for it (the client held it).
    // (Touched first: a resourceVersion older than the apiserver's window, 3 s here, would be
    // served from the stream, which keeps no previous values.)
    const old = await client.get<Pod>("pods", "w2", "default");
    const w2 = await client.update<Pod>("pods", { ...old, metadata: { ...old.metadata, annotations: { touched: "2" } } });
    const leaving: WatchEventOf[] = [];
    const h3 = client.watch(
      "pods",
      { namespace: "default", labelSelector: "watched=yes", resourceVersion: w2.metadata.resourceVersion },
      (e) => leaving.push(e),
      () => undefined,
    );
    await client.update("pods", { ...w2, metadata: { ...w2.metadata, labels: { watched: "no" } } });
    await waitFor(() => leaving.some((e) => e.type === "DELETED"), 10_000, "w2 leaving the selection");
    h3.stop();
    expect(leaving.filter((e) => e.type !== "BOOKMARK").map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["DELETED w2"]);
    await client.delete("pods", "w2", "default");
  });

  it("a node's pod watch (spec.nodeName) sees only that node's pods, and its bookmarks keep up with every change", async () => {
    const onNode = (name: string, node: string): Pod => ({ ...pod(name, { nodewatch: "yes" }), spec: { ...pod(name).spec, nodeName: node } });
    await client.create("pods", onNode("far", "nw-other"));
    const start = await client.list("pods", { namespace: "default" });
    const events: WatchEventOf[] = [];
    const h = client.watch(
      "pods",
      { fieldSelector: "spec.nodeName=nw-mine", resourceVersion: start.resourceVersion, allowBookmarks: true },
      (e) => events.push(e),
      () => undefined,
    );
    try {
      await client.create("pods", onNode("mine", "nw-mine"));
      let far = await client.get<Pod>("pods", "far", "default");
      for (let i = 0; i < 3; i++)
        far = await client.update("pods", { ...far, metadata: { ...far.metadata, labels: { ...far.metadata.labels, n: String(i) } } });
      const last = Number(far.metadata.resourceVersion);
      // The watch is told nothing of "far", but its bookmarks move past far's last change.
      const bookmark = await waitFor(
        () => events.find((e) => e.type === "BOOKMARK" && Number(e.object.metadata.resourceVersion) >= last),
        10_000,
        "a bookmark at or past the last change",
      );
      expect(bookmark).toBeTruthy();
      expect(events.filter((e) => e.type !== "BOOKMARK").map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["ADDED mine"]);
    } finally {
      h.stop();
      for (const n of ["far", "mine"]) await client.delete("pods", n, "default", { gracePeriodSeconds: 0 });
    }
  });

  it("a stopping apiserver ends the clients' call streams at once; their next calls reach it once restarted", async () => {
    await client.get("namespaces", "default"); // the client's call stream is open
    const t0 = Date.now();
    await cluster.apiserver!.kill("SIGTERM");
    const stopMs = Date.now() - t0;
    // Open streams it did not end would hold it until its 3 s grace runs out (forceShutdown).
    console.log(`[api] apiserver stopped in ${stopMs} ms with a call stream open`);
    expect(stopMs).toBeLessThan(2500);
    await cluster.startApiserver();
    await expect(waitFor(() => client.get("namespaces", "default"), 20_000, "apiserver back")).resolves.toMatchObject({ metadata: { name: "default" } });
  });

  it("loses nothing when the apiserver is killed and restarted", async () => {
    const names = Array.from({ length: 20 }, (_, i) => `durable-${i}`);
    for (const n of names) await client.create("pods", pod(n, { durable: "yes" }));
    await cluster.apiserver!.kill("SIGKILL");
    await cluster.startApiserver(); // same port: the client reconnects
    const listed = await waitFor(() => client.list("pods", { namespace: "default", labelSelector: "durable=yes" }), 20_000, "apiserver back");
    expect(listed.items.map((p) => p.metadata.name).sort()).toEqual([...names].sort());
  });
});
