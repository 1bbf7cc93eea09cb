// The skiff CLI as a user runs it: `./skiff up` starts a single-host cluster on free ports,
// apply/get/describe/delete drive it, bad manifests fail with a clear error and write nothing,
// and `./skiff down` stops everything and removes the cluster's containers.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, repoRoot } from "../harness/cluster.js";

const run = promisify(execFile);
const home = mkdtempSync(join(tmpdir(), "skiff-cli-home-"));
let env: NodeJS.ProcessEnv;

/** Runs ./skiff; resolves with stdout, stderr and the exit code (never throws on exit codes). */
async function skiff(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  try {
    const r = await run(join(repoRoot, "skiff"), args, { env, cwd: home, timeout: 180_000 });
    return { out: r.stdout, err: r.stderr, code: 0 };
  } catch (e) {
    const x = e as { stdout: string; stderr: string; code: number };
    return { out: x.stdout, err: x.stderr, code: x.code };
  }
}

function skiffContainers(): string[] {
  return execFileSync("docker", ["ps", "-aq", "--filter", "label=io.skiff.cluster=skiff"], { encoding: "utf8" }).split("\n").filter(Boolean);
}

describe("./skiff up, the CLI, ./skiff down", () => {
  beforeAll(async () => {
    // Setup already ran for the suite (npm test's pretest); skip it here to keep the test fast.
    // SKIFF_DNS_UPSTREAM=none: pods of this cluster never reach the host's resolvers.
    env = { ...process.env, SKIFF_HOME: home, SKIFF_SKIP_SETUP: "1", SKIFF_DNS_UPSTREAM: "none" };
    const [natsPort, apiPort] = [await freePort(), await freePort()];
    const up = await skiff("up", "--nats-port", String(natsPort), "--api-port", String(apiPort));
    expect(up.code, up.out + up.err).toBe(0);
    expect(up.out).toMatch(/Skiff is up/);
  }, 200_000);

  afterAll(async () => {
    await skiff("down", "--purge");
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it("reports status and a Ready node", async () => {
    const st = await skiff("status");
    expect(st.code, st.out + st.err).toBe(0);
    const nodes = await skiff("get", "nodes");
    expect(nodes.out).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);
    expect(nodes.out).toMatch(/\sReady\s/);
    // kube-system shows the node's own processes as mirror pods, Running on the node.
    const node = nodes.out.split("\n")[1].split(/\s+/)[0];
    let sys = "";
    for (let i = 0; i < 60 && !/skiff-proxy-\S+\s+1\/1\s+Running/.test(sys); i++) {
      if (i) await new Promise((r) => setTimeout(r, 1000));
      sys = (await skiff("get", "pods", "-n", "kube-system")).out;
    }
    for (const c of ["skiff-dns", "skiff-proxy", "skiff-ingress"]) expect(sys).toMatch(new RegExp(`${c}-${node}\\s+1/1\\s+Running`));
  });

  it("is closed: only loopback listeners besides the proxy's, the CA key in a 0600 file and nowhere in the store", async () => {
    const { readFileSync, readdirSync, statSync } = await import("node:fs");
    const pids = readdirSync(join(home, "run"))
      .filter((f) => f.endsWith(".pid"))
      .map((f) => Number(readFileSync(join(home, "run", f), "utf8").trim()));
    const dnsState = join(home, "run", "node", "dns.json");
    pids.push((JSON.parse(readFileSync(dnsState, "utf8")) as { pid: number }).pid);
    expect(pids.length).toBe(6); // nats, apiserver, scheduler, controller-manager, node agent, dns
    const listeners = execFileSync("ss", ["-H", "-ltunp"], { encoding: "utf8" })
      .split("\n")
      .filter((l) => pids.some((p) => l.includes(`pid=${p},`)));
    expect(listeners.length).toBeGreaterThanOrEqual(5);
    const open = listeners.map((l) => l.trim().split(/\s+/)[4]).filter((a) => !/^(127\.\d+\.\d+\.\d+|\[::1\]|\[::ffff:127\.0\.0\.1\]):\d+$/.test(a));
    expect(open, listeners.join("\n")).toEqual([]);
    expect(statSync(join(home, "pki", "ca.key")).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, "pki", "admin.token")).mode & 0o777).toBe(0o600);
    const secrets = await skiff("get", "secrets", "-n", "kube-system");
    expect(secrets.code, secrets.err).toBe(0);
    expect(secrets.out).not.toContain("skiff-pki");
  });

  it("applies a multi-document manifest, shows it, describes it and deletes it", async () => {
    const manifest = join(home, "pods.yaml");
    const pod = (name: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: { app: cli-test }
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: main
    image: skiff/busybox:1.35
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    resources: { limits: { memory: 32Mi, cpu: 100m } }
`;
    writeFileSync(manifest, `${pod("cli-a")}---\n${pod("cli-b")}`);
    const applied = await skiff("apply", "-f", "pods.yaml"); // relative to the caller's directory
    expect(applied.code, applied.err).toBe(0);
    expect(applied.out).toBe("pod/cli-a created\npod/cli-b created\n");
    expect((await skiff("apply", "-f", manifest)).out).toBe("pod/cli-a unchanged\npod/cli-b unchanged\n");

    let table = "";
    for (let i = 0; i < 120 && !(/cli-a\s+1\/1\s+Running/.test(table) && /cli-b\s+1\/1\s+Running/.test(table)); i++) {
      table = (await skiff("get", "pods", "-l", "app=cli-test")).out;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(table).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    expect(table).toMatch(/cli-a\s+1\/1\s+Running\s+0\s+/);

    const wide = await skiff("get", "pod", "cli-a", "-o", "wide");
    expect(wide.out).toMatch(/IP\s+NODE/);
    const json = JSON.parse((await skiff("get", "pod", "cli-a", "-o", "json")).out);
    expect(json.status.phase).toBe("Running");
    expect(json.spec.containers[0].resources.limits.memory).toBe("32Mi");

    const desc = await skiff("describe", "pod", "cli-a");
    expect(desc.out).toMatch(/Status:\s+Running/);
    expect(desc.out).toMatch(/Events:/);
    expect(desc.out).toMatch(/Scheduled/);

    const del = await skiff("delete", "-f", manifest);
    expect(del.code, del.err).toBe(0);
    expect(del.out).toMatch(/pod "cli-a" deleted/);
    const after = await skiff("get", "pods", "-l", "app=cli-test");
    expect(after.out + after.err).toMatch(/No resources found/);
  });

  it("rejects a bad manifest with a clear error and writes nothing", async () => {
    const bad = join(home, "bad.yaml");
    writeFileSync(bad, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: no-image\nspec:\n  containers:\n  - name: main\n");
    const r = await skiff("apply", "-f", bad);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/The Pod "no-image" is invalid: spec\.containers\[0\]\.image: Required value/);
    const get = await skiff("get", "pod", "no-image");
    expect(get.code).toBe(1);
    expect(get.err).toMatch(/Error from server \(NotFound\): pods "no-image" not found/);
  });

  it("down stops the processes and removes the cluster's containers", async () => {
    await skiff("apply", "-f", join(home, "pods.yaml"));
    const down = await skiff("down");
    expect(down.code, down.err).toBe(0);
    expect(skiffContainers()).toHaveLength(0);
    // The node's detached proxy and dns are stopped and its host routes removed too.
    const children = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" })
      .split("\n")
      .filter((l) => l.includes(join(home, "run")));
    expect(children).toEqual([]);
    expect(execFileSync("ip", ["route", "show", "table", "local"], { encoding: "utf8" })).not.toMatch(/^local 10\.96\.0\.0\/16 /m);
    const st = await skiff("status");
    expect(st.code).toBe(3);
  });

  it("comes up again on the kept store: the node is Ready by the new agent's own word", async () => {
    // The Node survives `down` still saying Ready; `up` waits for a status post from the agent it
    // just started, which must be stored even when no condition changed (it once was not: up hung).
    const [natsPort, apiPort] = [await freePort(), await freePort()];
    const up = await skiff("up", "--nats-port", String(natsPort), "--api-port", String(apiPort));
    expect(up.code, up.out + up.err).toBe(0);
    expect(up.out).toMatch(/node \S+ is Ready/);
    const nodes = await skiff("get", "nodes");
    expect(nodes.out).toMatch(/\sReady\s/);
  }, 200_000);
});
