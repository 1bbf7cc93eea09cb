// What a node does for fields users set, on one real node: NodePorts answered on loopback as
// kube-proxy does (and on the node IP); hostPort bound on the node's address and kept unique by
// the scheduler; pods resolving names outside the cluster through the resolvers of the host's
// resolv.conf (here a file naming a fake upstream DNS server on a loopback address of the test's).
import { createSocket, type Socket } from "node:dgram";
import { request } from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import type { Endpoints, Event, Pod, Service } from "@skiff/api";
import { freeFixedPort, TestCluster } from "../harness/cluster.js";
import { BUSYBOX } from "../harness/pods.js";
import { buildResponse, parseQuery, RCODE, TYPE } from "../../services/dns/src/wire/wire.js";

/** Runs a command without blocking this process (the fake upstream lives here); stdout and stderr. */
function execAsync(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => execFile(cmd, args, { encoding: "utf8", timeout: 20_000 }, (_err, stdout, stderr) => resolve(`${stdout}${stderr}`)));
}

function get(url: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve(body.trim()));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

function web(name: string, labels: Record<string, string>, hostPort?: number): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: "web",
          image: BUSYBOX,
          ports: [{ containerPort: 8080, ...(hostPort ? { hostPort } : {}) }],
          command: ["sh", "-c", `mkdir -p /www && echo ${name} > /www/index.html && exec httpd -f -p 8080 -h /www`],
        },
      ],
    },
  };
}

describe("node fidelity: NodePorts on loopback, hostPort, DNS forwarding", () => {
  const cluster = new TestCluster({ nodes: 1 });
  // A loopback address of this test's own for the fake upstream (port 53: resolv.conf has no ports).
  const upstreamIp = `127.${200 + Math.floor(Math.random() * 50)}.53.${1 + Math.floor(Math.random() * 250)}`;
  const asked: string[] = [];
  let fake: Socket;
  beforeAll(async () => {
    fake = createSocket("udp4");
    fake.on("message", (m, r) => {
      const q = parseQuery(m);
      asked.push(q.name);
      const answers = q.name === "outside.example.org" && q.type === TYPE.A ? [{ name: q.name, type: TYPE.A, ttl: 30, ip: "192.0.2.44" } as const] : [];
      // The name exists (NOERROR, no AAAA data); anything else does not.
      fake.send(buildResponse(q, q.name === "outside.example.org" ? RCODE.NOERROR : RCODE.NXDOMAIN, answers, [], { recursion: true }), r.port, r.address);
    });
    await new Promise<void>((res) => fake.bind(53, upstreamIp, () => res()));
    const resolvConf = join(cluster.dir, "host-resolv.conf");
    writeFileSync(resolvConf, `# the "host's" resolvers for this test\nnameserver ${upstreamIp}\n`);
    cluster.opts.agentFlags = ["--nodeport-addresses", "primary,127.0.0.1/32", "--dns-resolv-conf", resolvConf];
    await cluster.start();
  }, 120_000);
  afterAll(async () => {
    fake?.close();
    await cluster.stop();
  });

  it("a NodePort answers on 127.0.0.1 (kube-proxy's default) and on the node IP", async () => {
    await cluster.client.create("pods", web("np-web", { app: "np-web" }));
    const svc = await cluster.client.create<Service>("services", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "np-web", namespace: "default" },
      spec: { type: "NodePort", selector: { app: "np-web" }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    const nodePort = svc.spec.ports![0].nodePort!;
    await waitFor(
      async () => ((await cluster.client.get<Endpoints>("endpoints", "np-web", "default")).subsets?.[0]?.addresses?.length ?? 0) > 0,
      60_000,
      "np-web endpoints",
    );
    await waitFor(
      () =>
        get(`http://127.0.0.1:${nodePort}/`).then(
          (b) => b === "np-web",
          () => false,
        ),
      30_000,
      `127.0.0.1:${nodePort} to answer`,
    );
    expect(await get(`http://${cluster.nodeIP(0)}:${nodePort}/`)).toBe("np-web");
  });

  it("hostPort: the port answers on the node's address; a second pod with it stays Pending, saying why", async () => {
    const hostPort = await freeFixedPort();
    await cluster.client.create("pods", web("hp-1", { app: "hp" }, hostPort));
    await waitFor(
      () =>
        get(`http://${cluster.nodeIP(0)}:${hostPort}/`).then(
          (b) => b === "hp-1",
          () => false,
        ),
      60_000,
      `${cluster.nodeIP(0)}:${hostPort} to answer`,
    );
    await cluster.client.create("pods", web("hp-2", { app: "hp" }, hostPort));
    await waitFor(
      async () =>
        (await cluster.client.list<Event>("events", { namespace: "default" })).items.some(
          (e) => e.involvedObject.name === "hp-2" && e.reason === "FailedScheduling",
        ),
      30_000,
      "FailedScheduling of hp-2",
    );
    const ev = (await cluster.client.list<Event>("events", { namespace: "default" })).items.find(
      (e) => e.involvedObject.name === "hp-2" && e.reason === "FailedScheduling",
    )!;
    expect(ev.message).toBe("0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports.");
    expect((await cluster.client.get<Pod>("pods", "hp-2", "default")).spec.nodeName).toBeUndefined();
    // Freed when the first pod goes: the second is scheduled and takes the port.
    await cluster.client.delete("pods", "hp-1", "default");
    await waitFor(
      () =>
        get(`http://${cluster.nodeIP(0)}:${hostPort}/`).then(
          (b) => b === "hp-2",
          () => false,
        ),
      90_000,
      "hp-2 to answer on the host port",
    );
  });

  /** A busybox pod that sleeps (with spec fields added), once Running: the pod and its container's id. */
  const sleeper = async (name: string, spec: Partial<Pod["spec"]> = {}): Promise<{ pod: Pod; id: string }> => {
    await cluster.client.create("pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "default" },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "c", image: BUSYBOX, command: ["sleep", "3600"] }], ...spec },
    });
    const pod = await waitFor(
      async () => {
        const x = await cluster.client.get<Pod>("pods", name, "default");
        return x.status?.phase === "Running" ? x : undefined;
      },
      60_000,
      `${name} Running`,
    );
    return { pod, id: cluster.containers({ "io.kubernetes.pod.name": name, "io.skiff.kind": "container" })[0].id };
  };

  it("a pod resolves a name outside the cluster through the host's resolvers (resolv.conf)", async () => {
    const { id } = await sleeper("asker");
    // Asynchronously: the fake upstream answers from this very process, so its event loop must stay free.
    const out = await execAsync("docker", ["exec", id, "nslookup", "-type=a", "outside.example.org."]);
    expect(out, `${out}\nasked upstream: ${JSON.stringify(asked)}`).toContain("192.0.2.44");
    expect(asked).toContain("outside.example.org");
    // Cluster names are still answered by the cluster DNS, never asked upstream.
    expect(await execAsync("docker", ["exec", id, "nslookup", "-type=a", "kubernetes.default.svc.cluster.local."])).toContain("Name:");
    expect(asked).not.toContain("kubernetes.default.svc.cluster.local");
  });

  it("activeDeadlineSeconds: the running pod is stopped and Failed with reason DeadlineExceeded", async () => {
    await cluster.client.create("pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "deadline", namespace: "default" },
      spec: { activeDeadlineSeconds: 3, terminationGracePeriodSeconds: 1, containers: [{ name: "c", image: BUSYBOX, command: ["sleep", "3600"] }] },
    });
    await waitFor(async () => (await cluster.client.get<Pod>("pods", "deadline", "default")).status?.phase === "Running", 60_000, "deadline Running");
    await waitFor(async () => (await cluster.client.get<Pod>("pods", "deadline", "default")).status?.phase === "Failed", 30_000, "deadline Failed");
    const p = await cluster.client.get<Pod>("pods", "deadline", "default");
    expect(p.status).toMatchObject({ reason: "DeadlineExceeded", message: "Pod was active on the node longer than the specified deadline" });
    expect(cluster.containers({ "io.kubernetes.pod.name": "deadline", "io.skiff.kind": "container" }).every((c) => c.state !== "running")).toBe(true);
    const ev = (await cluster.client.list<Event>("events", { namespace: "default" })).items.find(
      (e) => e.involvedObject.name === "deadline" && e.reason === "DeadlineExceeded",
    );
    expect(ev?.type).toBe("Normal");
  });

  it("a liveness probe's own terminationGracePeriodSeconds bounds the kill of a container that ignores SIGTERM", async () => {
    await cluster.client.create("pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "stubborn", namespace: "default" },
      spec: {
        terminationGracePeriodSeconds: 60,
        containers: [
          {
            name: "c",
            image: BUSYBOX,
            command: ["sh", "-c", "trap '' TERM; while true; do sleep 1; done"],
            livenessProbe: { exec: { command: ["false"] }, initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 1, terminationGracePeriodSeconds: 1 },
          },
        ],
      },
    });
    await waitFor(async () => (await cluster.client.get<Pod>("pods", "stubborn", "default")).status?.phase === "Running", 60_000, "stubborn Running");
    const t0 = Date.now();
    // With the pod's 60 s grace the first restart would take a minute; the probe's 1 s makes it seconds.
    await waitFor(
      async () => ((await cluster.client.get<Pod>("pods", "stubborn", "default")).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1,
      30_000,
      "restart after the liveness failure",
    );
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it("a pod's /etc/hosts names the pod on its IP, then its hostAliases, which resolve", async () => {
    const { pod: p, id } = await sleeper("aliased", {
      hostAliases: [
        { ip: "127.0.0.1", hostnames: ["alias.local"] },
        { ip: "10.9.8.7", hostnames: ["db", "db.local"] },
      ],
    });
    const hosts = await execAsync("docker", ["exec", id, "cat", "/etc/hosts"]);
    expect(hosts).toContain(`${p.status!.podIP}\taliased`);
    expect(hosts).toMatch(/# Entries added by HostAliases\.\n127\.0\.0\.1\talias\.local\n10\.9\.8\.7\tdb\tdb\.local/);
    expect(await execAsync("docker", ["exec", id, "hostname"])).toContain("aliased");
    // The resolver reads the file: the alias answers ping on loopback.
    expect(await execAsync("docker", ["exec", id, "ping", "-c", "1", "-W", "5", "alias.local"])).toContain("127.0.0.1");
    await cluster.client.delete("pods", "aliased", "default");
  });

  it("hostNetwork: the pod's IP is the node's and it listens on the node's addresses", async () => {
    // Not a port of the ephemeral range: on a busy machine an outgoing connection could hold it.
    const port = await freeFixedPort();
    const created = await cluster.client.create<Pod>("pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "on-host", namespace: "default" },
      spec: {
        hostNetwork: true,
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: "web",
            image: BUSYBOX,
            ports: [{ containerPort: port }],
            command: ["sh", "-c", `mkdir -p /www && echo on-host > /www/index.html && exec httpd -f -p ${port} -h /www`],
          },
        ],
      },
    });
    // Defaulted as in Kubernetes: a host network pod's container ports are host ports.
    expect(created.spec.containers[0].ports?.[0].hostPort).toBe(port);
    await waitFor(async () => (await cluster.client.get<Pod>("pods", "on-host", "default")).status?.phase === "Running", 60_000, "on-host Running");
    expect((await cluster.client.get<Pod>("pods", "on-host", "default")).status?.podIP).toBe(cluster.nodeIP(0));
    await waitFor(async () => (await get(`http://${cluster.nodeIP(0)}:${port}/`)) === "on-host", 30_000, "the host network pod to answer on the node IP").catch(
      async (err: Error) => {
        const now = await cluster.client.get<Pod>("pods", "on-host", "default");
        throw new Error(`${err.message}; its containers: ${JSON.stringify(now.status?.containerStatuses)}`);
      },
    );
    await cluster.client.delete("pods", "on-host", "default");
  });

  it("a Job with completionMode Indexed runs each index once, with its index in env and hostname", async () => {
    await cluster.client.create("jobs", {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "idx", namespace: "default" },
      spec: {
        completionMode: "Indexed",
        completions: 3,
        parallelism: 3,
        template: {
          spec: {
            restartPolicy: "Never",
            terminationGracePeriodSeconds: 1,
            containers: [{ name: "c", image: BUSYBOX, command: ["sh", "-c", "echo index=$JOB_COMPLETION_INDEX host=$(hostname)"] }],
          },
        },
      },
    });
    await waitFor(
      async () =>
        (await cluster.client.get<{ status?: { conditions?: { type: string; status: string }[] } } & Pod>("jobs", "idx", "default")).status?.conditions?.some(
          (c) => c.type === "Complete" && c.status === "True",
        ),
      90_000,
      "Job idx Complete",
    );
    const job = await cluster.client.get<Pod & { status?: { completedIndexes?: string; succeeded?: number } }>("jobs", "idx", "default");
    expect(job.status).toMatchObject({ completedIndexes: "0-2", succeeded: 3 });
    const kubeconfig = await cluster.kubeconfigPath();
    const pods = (await cluster.client.list<Pod>("pods", { namespace: "default", labelSelector: "batch.kubernetes.io/job-name=idx" })).items;
    const logs = (await Promise.all(pods.map((p) => execAsync("kubectl", ["--kubeconfig", kubeconfig, "logs", p.metadata.name!])))).map((l) => l.trim()).sort();
    expect(logs).toEqual(["index=0 host=idx-0", "index=1 host=idx-1", "index=2 host=idx-2"]);
  });
});
