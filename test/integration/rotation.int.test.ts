// Certificates rotate without a restart of the cluster. With short-lived certificates (10 s for
// the apiserver's serving and NATS client certificates, 20 s for the node's), the apiserver
// renews its NATS client certificate in place: after the first one expired, NATS is restarted
// and the apiserver reconnects with the current one (writes go on). Then `skiff pki rotate-ca`
// replaces the cluster CA on the running cluster (add, switch, finish): afterwards every
// certificate is of the new CA, a client of the old CA is refused at the handshake, and the
// cluster keeps scheduling and running pods, heartbeating over NATS, and serving kubectl.
import { execFile, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, certInfo, issueCertificate, readTlsDir, signedBy, splitPem, waitFor, writeTlsDir, type CertAndKey } from "@skiff/client";
import type { ConfigMap, Node, Pod } from "@skiff/api";
import { repoRoot, TestCluster } from "../harness/cluster.js";
import { handshake } from "../../packages/cli/src/pki/rotate-ca.js";

const run = promisify(execFile);
const cluster = new TestCluster({ nodes: 1, apiserverFlags: ["--cert-validity-ms", "10000", "--node-cert-validity-ms", "20000"] });
const node = cluster.nodeName(0);
// The node's own TLS directory, outside the control plane's PKI directory (as on its own machine).
const nodeTls = join(cluster.dir, "node-machine", "pki");
let seq = 0;

const write = () =>
  cluster.client.create<ConfigMap>("configmaps", {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `rot-${seq++}`, namespace: "default" },
    data: { a: "b" },
  });
const ready = async () => (await cluster.client.get<Node>("nodes", node)).status?.conditions?.find((c) => c.type === "Ready")?.status;

async function restartNats(): Promise<void> {
  await cluster.nats!.kill();
  await cluster.startNats();
}

describe("certificates and the CA rotate while the cluster runs", () => {
  beforeAll(async () => {
    await cluster.startNats();
    await cluster.startApiserver();
    cluster.client = new ApiClient({ addresses: [cluster.apiAddress], timeoutMs: 10_000, tls: { dir: cluster.tlsDir("admin") } });
    await cluster.startControllerManager();
    await cluster.startScheduler();
    mkdirSync(join(cluster.dir, "node-machine"), { recursive: true });
    cpSync(cluster.tlsDir(node), nodeTls, { recursive: true });
    await cluster.startAgent(node, ["--tls-dir", nodeTls, "--cert-check-ms", "2000", "--bootstrap-server", `https://${cluster.httpsAddress}`]);
    await waitFor(async () => (await ready().catch(() => undefined)) === "True", 60_000, "node Ready");
  }, 120_000);

  afterAll(async () => {
    await cluster.stop();
  }, 120_000);

  it("renews the apiserver's NATS client and serving certificates in place: after the first ones expired, a NATS restart is survived", async () => {
    const t0 = Date.now();
    await write();
    // Past the first certificates' end (10 s), each renewed at 2/3 of its life.
    await new Promise((r) => setTimeout(r, 12_000));
    expect(readFileSync(cluster.apiserver!.logFile, "utf8")).toMatch(/re-issued the apiserver's NATS client certificate/);
    await restartNats();
    // The store's connection comes back with the current certificate (the first one has expired).
    await waitFor(
      () =>
        write().then(
          () => true,
          () => false,
        ),
      60_000,
      "a write after NATS restarted",
      500,
    );
    // A new connection to the gRPC API gets a serving certificate issued after the first one expired.
    const admin = readTlsDir(cluster.tlsDir("admin"));
    const h = await handshake(cluster.apiAddress, admin);
    expect(h.accepted).toBe(true);
    expect(certInfo(h.peer!).notAfter.getTime()).toBeGreaterThan(t0 + 10_000);
    // The node renewed its 1-year certificate? No: it renews at 2/3 of its life; it kept heartbeating over the restarted NATS.
    await waitFor(async () => (await ready()) === "True", 30_000, "node Ready after the NATS restart", 500);
  }, 120_000);

  it("skiff pki rotate-ca replaces the CA on the running cluster; the old CA is refused and everything keeps working", async () => {
    const oldCa: CertAndKey = { cert: readFileSync(join(cluster.pkiDir, "ca.crt"), "utf8"), key: readFileSync(join(cluster.pkiDir, "ca.key"), "utf8") };
    const oldNodeCert = readTlsDir(nodeTls).cert;
    const t0 = Date.now();
    let out = "";
    try {
      const r = await run(
        process.execPath,
        [
          join(repoRoot, "packages/cli/dist/main.js"),
          "pki",
          "rotate-ca",
          "--dir",
          cluster.pkiDir,
          "--server",
          cluster.apiAddress,
          "--tls-dir",
          cluster.tlsDir("admin"),
          "--timeout",
          "180",
        ],
        { env: { ...process.env, SKIFF_HOME: join(cluster.dir, "cli-home") }, timeout: 600_000 },
      );
      out = r.stdout;
    } catch (e) {
      const x = e as { stdout?: string; stderr?: string };
      throw new Error(`rotate-ca failed:\n${x.stdout}\n${x.stderr}\n${cluster.logs()}`);
    }
    const seconds = (Date.now() - t0) / 1000;
    console.log(`[rotation] rotate-ca took ${seconds.toFixed(1)}s:\n${out}`);
    expect(out).toMatch(
      /step add[\s\S]*every apiserver and node accepts the new CA: 2 checked[\s\S]*step switch[\s\S]*presents a certificate of the new CA: 2 checked[\s\S]*step finish[\s\S]*refuses the old CA: 2 checked/,
    );
    const newCa = readFileSync(join(cluster.pkiDir, "ca.crt"), "utf8");
    expect(newCa).not.toBe(oldCa.cert);
    for (const f of ["ca-bundle.crt", "ca-next.crt", "ca-previous.crt", "ca-previous.key"]) expect(existsSync(join(cluster.pkiDir, f)), f).toBe(false);
    // The node renewed its certificate from the new CA itself (its directory is outside the PKI directory) and trusts only the new CA.
    const nodeNow = readTlsDir(nodeTls);
    expect(nodeNow.cert).not.toBe(oldNodeCert);
    expect(signedBy(nodeNow.cert, newCa)).toBe(true);
    expect(splitPem(nodeNow.ca).map((c) => c.trim())).toEqual([newCa.trim()]);
    for (const who of ["scheduler", "controller-manager", "admin", "nats"]) {
      const m = readTlsDir(join(cluster.pkiDir, who));
      expect(signedBy(m.cert, newCa), who).toBe(true);
      expect(m.ca, who).toBe(newCa);
    }
    // A client certificate of the old CA (even a cluster admin's) is refused at the handshake.
    const oldAdmin = join(cluster.dir, "old-admin");
    writeTlsDir(oldAdmin, { ca: newCa, ...issueCertificate(oldCa, { user: "skiff-admin", groups: ["system:masters"] }) });
    const stale = new ApiClient({ addresses: [cluster.apiAddress], timeoutMs: 5000, tls: { dir: oldAdmin } });
    await expect(stale.list("namespaces")).rejects.toMatchObject({ reason: "Unavailable" });
    stale.close();
    // The cluster keeps working: a pod is scheduled and runs on the node.
    await cluster.client.create("pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "after-rotation", namespace: "default" },
      spec: { containers: [{ name: "c", image: "skiff/busybox:1.35", imagePullPolicy: "IfNotPresent", command: ["sleep", "3600"] }] },
    } as Pod);
    await waitFor(
      async () => (await cluster.client.get<Pod>("pods", "after-rotation", "default")).status?.phase === "Running",
      90_000,
      "a pod Running after the rotation",
      500,
    );
    // NATS restarted with only the new CA: the apiserver, controller-manager and node reconnect with new-CA certificates.
    await restartNats();
    await waitFor(
      () =>
        write().then(
          () => true,
          () => false,
        ),
      60_000,
      "a write after NATS restarted with the new CA",
      500,
    );
    await new Promise((r) => setTimeout(r, 4000));
    expect(await ready()).toBe("True");
    // kubectl with a kubeconfig of the new CA.
    const names = execFileSync("kubectl", ["get", "nodes", "-o", "name"], {
      env: { ...process.env, KUBECONFIG: await cluster.kubeconfigPath() },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(names.trim()).toBe(`node/${node}`);
  }, 700_000);
});
