// The Ingress manifests users bring (deploy/examples/ingress: the Kubernetes docs' minimal
// Ingress with rewrite-target, default backend, simple fanout, name-based virtual hosting,
// wildcard hosts, TLS, and ingress-nginx's rewrite example), applied one after another with the
// real kubectl to a one-node cluster, each checked to route from the host through the
// controller's LoadBalancer address, then deleted.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { connect as tlsConnect } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import type { Pod, Service } from "@skiff/api";
import { TestCluster, repoRoot } from "../harness/cluster.js";
import { selfSigned } from "../../services/ingress/src/tls/certs.js";

const run = promisify(execFile);
const EXAMPLES = join(repoRoot, "deploy/examples/ingress");

/** status and body of GET http://lb<path> with a Host header ("" on a connection error). */
function get(ip: string, host: string, path: string): Promise<{ status: number; body: string; location?: string }> {
  return new Promise((resolve) => {
    const req = request({ host: ip, port: 80, path, headers: { host }, agent: false, timeout: 10_000 }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: body.trim(), location: res.headers.location }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve({ status: 0, body: "" }));
    req.end();
  });
}

describe("the Ingress examples users bring", () => {
  const cluster = new TestCluster({ nodes: 1 });
  let lb = "";
  let kubeconfig = "";
  const dir = mkdtempSync(join(tmpdir(), "skiff-ingress-examples-"));
  const kubectl = async (...args: string[]) => (await run("kubectl", ["--kubeconfig", kubeconfig, ...args])).stdout;

  /** Applies an example, waits until every [host, path, expected body prefix] routes, deletes it. */
  async function example(file: string, checks: [string, string, string][]): Promise<void> {
    await kubectl("apply", "-f", join(EXAMPLES, file));
    for (const [host, path, want] of checks) {
      await waitFor(async () => ((await get(lb, host, path)).body.startsWith(want) ? true : undefined), 20_000, `${file}: ${host}${path} → ${want}`);
    }
  }
  const remove = (file: string) => kubectl("delete", "-f", join(EXAMPLES, file), "--wait=false");

  beforeAll(async () => {
    await cluster.start();
    kubeconfig = await cluster.kubeconfigPath();
    await kubectl("apply", "-f", join(EXAMPLES, "backends.yaml"));
    await waitFor(
      async () => {
        const pods = (await cluster.client.list<Pod>("pods", { namespace: "default" })).items;
        return (
          pods.some(
            (p) => p.metadata.labels?.app === "ingress-example-backends" && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
          ) || undefined
        );
      },
      120_000,
      "the example backends to be ready",
    );
    const svc = await waitFor(
      async () => {
        const s = await cluster.client.get<Service>("services", "skiff-ingress", "kube-system").catch(() => undefined);
        return s?.status?.loadBalancer?.ingress?.[0]?.ip ? s : undefined;
      },
      30_000,
      "the controller's LoadBalancer Service",
    );
    lb = svc.status!.loadBalancer!.ingress![0].ip!;
  }, 240_000);

  afterAll(async () => {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("minimal Ingress: /testpath to test, rewritten to /", async () => {
    await example("minimal-ingress.yaml", [["anything.example.com", "/testpath/x", "test / host=anything.example.com"]]);
    expect((await get(lb, "anything.example.com", "/other")).status).toBe(404);
    await remove("minimal-ingress.yaml");
  });

  it("default backend: every request to test", async () => {
    await example("default-backend.yaml", [
      ["a.example.com", "/any/path", "test /any/path"],
      ["b.example.com", "/", "test /"],
    ]);
    await remove("default-backend.yaml");
    await waitFor(async () => ((await get(lb, "a.example.com", "/")).status === 404 ? true : undefined), 20_000, "the default backend gone");
  });

  it("simple fanout: one host, paths to two Services on their ports", async () => {
    await example("simple-fanout.yaml", [
      ["foo.bar.com", "/foo/a", "service1 /foo/a"],
      ["foo.bar.com", "/bar", "service2 /bar"],
    ]);
    expect((await get(lb, "foo.bar.com", "/foobar")).status).toBe(404); // Prefix is element-wise
    await remove("simple-fanout.yaml");
  });

  it("name-based virtual hosting, with a rule for every other host", async () => {
    await example("name-virtual-host.yaml", [
      ["first.bar.com", "/", "service1 / host=first.bar.com"],
      ["second.bar.com", "/x", "service2 /x"],
      ["third.example.com", "/", "service3 /"],
    ]);
    await remove("name-virtual-host.yaml");
  });

  it("wildcard hosts match one label", async () => {
    await example("wildcard-host.yaml", [
      ["foo.bar.com", "/bar", "service1 /bar"],
      ["bar.foo.com", "/foo", "service2 /foo"],
    ]);
    expect((await get(lb, "baz.bar.foo.com", "/foo")).status).toBe(404);
    expect((await get(lb, "foo.com", "/foo")).status).toBe(404);
    await remove("wildcard-host.yaml");
  });

  it("TLS from a Secret made with kubectl create secret tls; HTTP redirected", async () => {
    const { cert, key } = selfSigned("https-example.foo.com");
    writeFileSync(join(dir, "tls.crt"), cert);
    writeFileSync(join(dir, "tls.key"), key);
    await kubectl("create", "secret", "tls", "testsecret-tls", `--cert=${join(dir, "tls.crt")}`, `--key=${join(dir, "tls.key")}`);
    await kubectl("apply", "-f", join(EXAMPLES, "tls.yaml"));
    const https = () =>
      new Promise<{ cn: string; body: string }>((resolve, reject) => {
        const s = tlsConnect({ host: lb, port: 443, servername: "https-example.foo.com", rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] }, () =>
          s.write("GET /secure HTTP/1.1\r\nHost: https-example.foo.com\r\nConnection: close\r\n\r\n"),
        );
        let out = "";
        s.on("data", (d) => (out += d));
        s.on("end", () => {
          const cn = s.getPeerCertificate().subject?.CN;
          resolve({ cn: String(cn), body: out.split("\r\n\r\n").slice(1).join("").trim() });
        });
        s.on("error", reject);
      });
    const r = await waitFor(
      async () => {
        const x = await https().catch(() => undefined);
        return x?.cn === "https-example.foo.com" && x.body.startsWith("service1 /secure") ? x : undefined;
      },
      20_000,
      "HTTPS with the Secret's certificate",
    );
    expect(r.body).toBe("service1 /secure host=https-example.foo.com");
    const red = await get(lb, "https-example.foo.com", "/secure");
    expect(red.status).toBe(308);
    expect(red.location).toBe("https://https-example.foo.com/secure");
    await remove("tls.yaml");
  });

  it("ingress-nginx's rewrite-target with capture groups", async () => {
    await example("rewrite-target.yaml", [
      ["rewrite.bar.com", "/something/new", "http-svc /new "],
      ["rewrite.bar.com", "/something", "http-svc / "],
    ]);
    await remove("rewrite-target.yaml");
  });
});
