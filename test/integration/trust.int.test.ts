// Closed by default, shown with real processes: every gRPC server refuses a client without a
// certificate of the cluster CA at the handshake (and one from another CA); the node agent serves
// apiservers only; a node's identity reads its own pods' Secrets and gets 403 for another node's;
// joining takes a live join token and never yields another node's identity or system:masters; a
// node certificate is renewed from disk without a restart; and the store's raw bytes in NATS
// hold no Secret value.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "node:https";
import { connect as netConnect } from "node:net";
import { credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import { nodev1 } from "@skiff/proto";
import {
  ApiClient,
  certInfo,
  createCa,
  createCsr,
  issueCertificate,
  joinCluster,
  joinTokenSecret,
  mtlsChannelCredentials,
  newJoinToken,
  readTlsDir,
  TLS_CHANNEL_OPTIONS,
  waitFor,
  writeTlsDir,
  type JoinOptions,
} from "@skiff/client";
import type { Node, Pod, Secret } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";
import { BUSYBOX, testPod } from "../harness/pods.js";

const PASSWORD = "correct-horse-battery-staple";

describe("closed by default", () => {
  const cluster = new TestCluster({ nodes: 2, apiserverFlags: ["--node-cert-validity-ms", "3600000"] });
  const other = mkdtempSync(join(tmpdir(), "skiff-otherca-"));
  let n0 = "";
  let n1 = "";

  beforeAll(async () => {
    await cluster.start();
    n0 = cluster.nodeName(0);
    n1 = cluster.nodeName(1);
    // A certificate of another CA that claims to be an admin.
    const ca = createCa("not-this-cluster");
    writeTlsDir(other, { ca: ca.cert, ...issueCertificate(ca, { user: "skiff-admin", groups: ["system:masters"], server: true }) });
    // A secret for a pod on each node.
    for (const [i, node] of [n0, n1].entries()) {
      await cluster.client.create("secrets", {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: `s${i}`, namespace: "default" },
        stringData: { password: `${PASSWORD}-${i}` },
      } as Secret);
      await cluster.client.create(
        "pods",
        testPod(`p${i}`, {
          nodeName: node,
          volumes: [{ name: "s", secret: { secretName: `s${i}` } }],
          containers: [{ name: "c", image: BUSYBOX, command: ["sh", "-c", "cat /s/password; sleep 3600"], volumeMounts: [{ name: "s", mountPath: "/s" }] }],
        } as never),
      );
    }
    await waitFor(
      async () => (await cluster.client.list<Pod>("pods", { namespace: "default" })).items.every((p) => p.status?.phase === "Running"),
      90_000,
      "pods Running",
    );
  }, 180_000);
  afterAll(async () => {
    await cluster.stop();
  });

  const client = (dir: string | undefined) => new ApiClient({ addresses: [cluster.apiAddress], timeoutMs: 4000, ...(dir ? { tls: { dir } } : {}) });

  it("the internal API refuses a client without a certificate and one of another CA at the handshake", async () => {
    for (const c of [client(undefined), client(other)]) {
      await expect(c.get("secrets", "s0", "default")).rejects.toMatchObject({ reason: "Unavailable" });
      c.close();
    }
    const log = readFileSync(cluster.apiserver!.logFile, "utf8");
    expect(log).not.toContain(PASSWORD);
  });

  it("a node reads the secret of its own pod, and gets 403 for another node's", async () => {
    const node0 = client(cluster.tlsDir(n0));
    try {
      const own = await node0.get<Secret>("secrets", "s0", "default");
      expect(Buffer.from(own.data!.password, "base64").toString()).toBe(`${PASSWORD}-0`);
      await expect(node0.get("secrets", "s1", "default")).rejects.toMatchObject({
        reason: "Forbidden",
        message: expect.stringContaining(`User "system:node:${n0}" cannot get resource "secrets"`),
      });
      await expect(node0.list("secrets", { namespace: "default" })).rejects.toMatchObject({ reason: "Forbidden" });
      await expect(node0.get("pods", "p1", "default")).rejects.toMatchObject({ reason: "Forbidden" });
      await expect(node0.updateStatus("nodes", { ...(await node0.get<Node>("nodes", n1)) })).rejects.toMatchObject({ reason: "Forbidden" });
      await expect(node0.create("secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "mine", namespace: "default" } })).rejects.toMatchObject({
        reason: "Forbidden",
      });
      // What a node needs still works: its own Node, the Services.
      await expect(node0.get("nodes", n0)).resolves.toBeTruthy();
      await expect(node0.list("services")).resolves.toBeTruthy();
      // Calls in flight together on the client's one call stream are each decided on their own.
      const mixed = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? node0.get("secrets", "s1", "default") : node0.get<Secret>("secrets", "s0", "default"))),
      );
      expect(mixed.map((r) => (r.status === "fulfilled" ? "ok" : (r.reason as { reason: string }).reason))).toEqual(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? "Forbidden" : "ok")),
      );
    } finally {
      node0.close();
    }
  });

  it("the agent API accepts only apiservers: no certificate, another CA, a node or an admin are refused", async () => {
    const node = await cluster.client.get<Node>("nodes", n0);
    const addr = `127.0.0.1:${node.status!.daemonEndpoints!.kubeletEndpoint!.Port}`;
    const stats = (creds: ReturnType<typeof credentials.createInsecure>) =>
      new Promise<ServiceError | null>((resolve) => {
        const c = new nodev1.NodeServiceClient(addr, creds, TLS_CHANNEL_OPTIONS);
        c.podStats({ pod: { namespace: "default", name: "p0", uid: "" } }, new Metadata(), { deadline: Date.now() + 5000 }, (e) => {
          c.close();
          resolve(e);
        });
      });
    const accept = () => true;
    expect((await stats(credentials.createInsecure()))?.code).toBe(14); // UNAVAILABLE: no TLS handshake
    expect((await stats(mtlsChannelCredentials({ dir: other }, accept, "any")))?.code).toBe(14);
    expect(await stats(mtlsChannelCredentials({ dir: cluster.tlsDir(n1) }, accept, "any"))).toMatchObject({
      code: 7,
      details: expect.stringContaining("serves apiservers only"),
    });
    expect(await stats(mtlsChannelCredentials({ dir: cluster.tlsDir("admin") }, accept, "any"))).toMatchObject({ code: 7 });
    // The apiserver identity is served.
    expect(await stats(cluster.agentCredentials(n0))).toBeNull();
  });

  it("joining needs a live token and yields only a fresh node identity", async () => {
    const token = newJoinToken();
    await cluster.client.create("secrets", joinTokenSecret(token, 600_000), "kube-system");
    const ca = readFileSync(join(cluster.pkiDir, "ca.crt"), "utf8");
    const { caCertHash } = await import("@skiff/client");
    const base = (name: string, t = token): JoinOptions => ({
      tlsDir: mkdtempSync(join(tmpdir(), "skiff-join-")),
      nodeName: name,
      token: t,
      caCertHash: caCertHash(ca),
      servers: [`https://${cluster.httpsAddress}`],
      timeoutMs: 5000,
    });
    await expect(joinCluster(base("fresh", "abcdef.0123456789abcdef"))).rejects.toThrow(/join token abcdef is not valid: it was revoked or never created/);
    await expect(joinCluster(base("fresh", "garbage"))).rejects.toThrow(/malformed/);
    await expect(joinCluster({ ...base("fresh"), caCertHash: caCertHash(createCa().cert) })).rejects.toThrow(/refusing to send the join token/);
    await expect(joinCluster(base(n1))).rejects.toThrow(`node "${n1}" is already registered`);
    // A hand-made CSR asking for system:masters or for another identity is refused.
    const post = (csr: string) =>
      new Promise<{ code: number; body: string }>((resolve, reject) => {
        const req = request(
          `https://${cluster.httpsAddress}/skiff/v1/join`,
          { method: "POST", ca, checkServerIdentity: () => undefined, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" } },
          (res) => {
            let body = "";
            res.on("data", (d) => (body += d));
            res.on("end", () => resolve({ code: res.statusCode ?? 0, body }));
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify({ csr }));
      });
    expect(await post(createCsr({ user: "system:node:x", groups: ["system:nodes", "system:masters"] }).csr)).toMatchObject({
      code: 403,
      body: expect.stringContaining("system:masters"),
    });
    expect(await post(createCsr({ user: "skiff-admin", groups: ["system:nodes"] }).csr)).toMatchObject({
      code: 403,
      body: expect.stringContaining("only ask for a node identity"),
    });
    expect(await post("-----BEGIN CERTIFICATE REQUEST-----\ngarbage\n-----END CERTIFICATE REQUEST-----\n")).toMatchObject({ code: 400 });
    // A good join: a node certificate for that name only.
    const ok = base("fresh");
    const info = await joinCluster(ok);
    expect(info).toMatchObject({ user: "system:node:fresh", groups: ["system:nodes"] });
    expect(certInfo(readTlsDir(ok.tlsDir).cert).user).toBe("system:node:fresh");
    // Revoked (its Secret deleted): refused.
    await cluster.client.delete("secrets", `bootstrap-token-${token.split(".")[0]}`, "kube-system", { gracePeriodSeconds: 0 });
    await expect(joinCluster(base("fresh2"))).rejects.toThrow(/revoked or never created/);
    // Expired: refused.
    const old = newJoinToken();
    await cluster.client.create("secrets", joinTokenSecret(old, -1000), "kube-system");
    await expect(joinCluster(base("fresh3", old))).rejects.toThrow(/expired at/);
    // Nothing was written for the refused joins.
    expect((await cluster.client.list<Node>("nodes")).items.map((n) => n.metadata.name).sort()).toEqual([n0, n1].sort());
  });

  it("a node certificate is renewed before it expires, with no restart", async () => {
    // Give node 0 a certificate about to expire (the CA backdates 5 minutes: it is past 2/3 of its life).
    const dir = cluster.tlsDir(n0);
    const ca = { cert: readFileSync(join(cluster.pkiDir, "ca.crt"), "utf8"), key: readFileSync(join(cluster.pkiDir, "ca.key"), "utf8") };
    const short = issueCertificate(ca, { user: `system:node:${n0}`, groups: ["system:nodes"], server: true, validityMs: 20_000 });
    writeTlsDir(dir, { ca: ca.cert, ...short });
    const agent = cluster.agents.get(n0)!;
    const pid = agent.child.pid;
    // Restart the agent onto the short certificate with a fast renewal check, then watch it rotate.
    await agent.kill();
    await cluster.startAgent(n0, ["--cert-check-ms", "1000"]);
    await waitFor(() => certInfo(readTlsDir(dir).cert).notAfter.getTime() > Date.now() + 30 * 60_000, 30_000, "the node certificate renewed");
    const renewedPid = cluster.agents.get(n0)!.child.pid;
    expect(renewedPid).not.toBe(pid);
    // Past the old certificate's expiry the same agent process still works: a new pod runs on it.
    await new Promise((r) => setTimeout(r, 21_000));
    await cluster.client.create("pods", testPod("after-rotation", { nodeName: n0, containers: [{ name: "c", image: BUSYBOX, command: ["sleep", "3600"] }] }));
    await waitFor(async () => (await cluster.client.get<Pod>("pods", "after-rotation", "default")).status?.phase === "Running", 60_000, "pod after rotation");
    expect(cluster.agents.get(n0)!.child.pid).toBe(renewedPid);
    expect(cluster.agents.get(n0)!.alive).toBe(true);
  }, 150_000);

  it("the store's raw bytes in NATS hold neither a Secret's value nor its base64", async () => {
    const raw = await rawStoreBytes(cluster);
    expect(raw.length).toBeGreaterThan(0);
    for (const i of [0, 1]) {
      const v = `${PASSWORD}-${i}`;
      expect(raw).not.toContain(v);
      expect(raw).not.toContain(Buffer.from(v).toString("base64"));
    }
    expect(raw).toContain("k8s:enc:aesgcm:v1:");
    // Reading through the API is unchanged.
    const s = await cluster.client.get<Secret>("secrets", "s1", "default");
    expect(Buffer.from(s.data!.password, "base64").toString()).toBe(`${PASSWORD}-1`);
  });
});

/** Every byte of the store's stream files (what NATS keeps on disk for the bucket). */
async function rawStoreBytes(cluster: TestCluster): Promise<string> {
  const { readdirSync, statSync } = await import("node:fs");
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((f) => {
      const p = join(d, f);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
  const files = walk(join(cluster.dir, "nats")).filter((f) => f.includes("KV_skiff") && f.endsWith(".blk"));
  return files.map((f) => readFileSync(f).toString("latin1")).join("\n");
}

describe("NATS closed", () => {
  const cluster = new TestCluster({ nodes: 1, scheduler: false });
  beforeAll(async () => {
    await cluster.start();
  }, 120_000);
  afterAll(async () => {
    await cluster.stop();
  });

  const { connect } = awaitImport();
  const tlsOf = (dir: string) => ({ caFile: join(dir, "ca.crt"), certFile: join(dir, "tls.crt"), keyFile: join(dir, "tls.key") });

  it("refuses a client without a certificate (its INFO demands TLS and auth) and one of another CA", async () => {
    const { connect: c } = await connect;
    await expect(c({ servers: cluster.natsUrl(), maxReconnectAttempts: 0, reconnect: false, timeout: 3000 })).rejects.toThrow();
    const other = mkdtempSync(join(tmpdir(), "skiff-otherca-"));
    const ca = createCa("not-this-cluster");
    writeTlsDir(other, { ca: readFileSync(join(cluster.pkiDir, "ca.crt"), "utf8"), ...issueCertificate(ca, { user: "kube-apiserver", groups: [] }) });
    await expect(c({ servers: cluster.natsUrl(), tls: tlsOf(other), maxReconnectAttempts: 0, reconnect: false, timeout: 3000 })).rejects.toThrow();
    // What the server announces to anyone who connects.
    const info = await new Promise<string>((resolve, reject) => {
      const s = netConnect(cluster.natsPort, "127.0.0.1");
      s.once("data", (d) => {
        resolve(d.toString());
        s.destroy();
      });
      s.once("error", reject);
    });
    expect(info).toMatch(/"auth_required":true/);
    expect(info).toMatch(/"tls_required":true/);
  });

  it("a node publishes only its own heartbeat and cannot read the store", async () => {
    const { connect: c } = await connect;
    const n0 = cluster.nodeName(0);
    const nc = await c({ servers: cluster.natsUrl(), tls: tlsOf(cluster.tlsDir(n0)), maxReconnectAttempts: 0, reconnect: false });
    const errors: string[] = [];
    void (async () => {
      for await (const s of nc.status()) if (s.type === "error") errors.push(String((s as { error?: unknown }).error ?? s.type));
    })();
    nc.publish("skiff.heartbeat.someone-else", "{}");
    nc.publish(`$KV.skiff.secrets.default.x`, "{}");
    await nc.flush();
    await new Promise((r) => setTimeout(r, 500));
    const { jetstreamManager } = await import("@nats-io/jetstream");
    await expect((async () => (await jetstreamManager(nc, { timeout: 2000 })).streams.info("KV_skiff"))()).rejects.toThrow();
    await nc.close().catch(() => undefined);
    expect(errors.join("\n")).toMatch(/Permissions Violation for Publish to "skiff\.heartbeat\.someone-else"/);
    expect(errors.join("\n")).toMatch(/Permissions Violation for Publish to "\$KV\.skiff\.secrets/);
  });
});

function awaitImport() {
  return { connect: import("@nats-io/transport-node") };
}
