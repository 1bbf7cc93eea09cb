// Images on the container topology (`skiff up --nodes 3 --registry --registry-auth`, internal
// network): an image built on this host with `docker build` is loaded into every node (again:
// a no-op; a paused node is reported, the others still get it; through the agents' API too),
// a Deployment spread over the nodes runs it, a rebuilt image loaded again reaches new pods
// after `kubectl rollout restart`; pull failures explain themselves (image, node, engine reason,
// what to do) with pull Events; nodes report status.images; the cluster registry serves a pushed
// image to every node only with the pull secret, and keeps it across a restart; the node agents'
// image GC (thresholds forced low here) removes unused images and never one in use.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, waitFor } from "@skiff/client";
import type { Event, KObject, Node, Pod } from "@skiff/api";
import { freePort, repoRoot } from "../harness/cluster.js";
import { defaultImages, registryImage } from "../../packages/cli/src/topology/plan.js";

const run = promisify(execFile);
const name = `i${Date.now().toString(36).slice(-6)}`;
const home = mkdtempSync(join(tmpdir(), "skiff-images-home-"));
const build = mkdtempSync(join(tmpdir(), "skiff-images-build-"));
const dockerConfig = mkdtempSync(join(tmpdir(), "skiff-images-docker-"));
const nodes = [1, 2, 3].map((i) => `${name}-node-${i}`);
const app = `${name}/app:1`;
const auth = { user: "alice", password: "pw-" + Date.now().toString(36) };
// Image GC forced on: usage (whatever the disk holds) is over 1 %, so every unused image older
// than 2 min (the kubelet's minimum age: a slow rollout still finds its image) goes; images in
// use and the sandbox image must stay.
const gcEnv = { SKIFF_IMAGE_GC_HIGH_THRESHOLD: "1", SKIFF_IMAGE_GC_LOW_THRESHOLD: "0", SKIFF_IMAGE_GC_MIN_AGE_MS: "120000", SKIFF_IMAGE_GC_PERIOD_MS: "5000" };
const env = { ...process.env, SKIFF_HOME: home, SKIFF_SKIP_SETUP: "1", ...gcEnv };
let client: ApiClient;
let registryPort = 0;
let forwarder: Server | undefined;
/** Image ids this test built on the host (a rebuilt tag leaves the old one dangling). */
const built: string[] = [];
const figures: Record<string, string> = {};

async function skiff(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  try {
    const r = await run(join(repoRoot, "skiff"), args, { env, cwd: home, timeout: 400_000 });
    return { out: r.stdout, err: r.stderr, code: 0 };
  } catch (e) {
    const x = e as { stdout: string; stderr: string; code: number };
    return { out: x.stdout, err: x.stderr, code: typeof x.code === "number" ? x.code : 1 };
  }
}
const dockerOut = (...args: string[]) =>
  execFileSync("docker", args, { encoding: "utf8", timeout: 300_000, env: { ...process.env, DOCKER_CONFIG: dockerConfig } }).trim();
const kubectl = async (...args: string[]) =>
  (await run("kubectl", args, { env: { ...process.env, KUBECONFIG: join(home, "kubeconfig") }, timeout: 60_000 })).stdout;
const nodeImageId = (node: string, image: string) => {
  try {
    return dockerOut("exec", node, "docker", "image", "inspect", "-f", "{{.Id}}", image);
  } catch {
    return "";
  }
};

/** Builds `app` from skiff/busybox:1.35 on this host; the pod prints `version`. */
function buildApp(tag: string, version: string): string {
  writeFileSync(join(build, "Dockerfile"), `FROM skiff/busybox:1.35\nRUN echo ${version} > /version\nCMD ["sh", "-c", "cat /version; exec sleep 3600"]\n`);
  dockerOut("build", "-q", "-t", tag, build);
  const id = dockerOut("image", "inspect", "-f", "{{.Id}}", tag);
  built.push(id);
  return id;
}

function deployment(depName: string, image: string, extra: Record<string, unknown> = {}): KObject & { spec: Record<string, unknown> } {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: depName, namespace: "default" },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: depName } },
      template: { metadata: { labels: { app: depName } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "app", image }], ...extra } },
    },
  };
}

async function runningPods(label: string, n: number, what: string, timeoutMs = 150_000): Promise<Pod[]> {
  return waitFor(
    async () => {
      const pods = (await client.list<Pod>("pods", { namespace: "default", labelSelector: label })).items.filter((p) => !p.metadata.deletionTimestamp);
      return pods.length === n && pods.every((p) => p.status?.phase === "Running") ? pods : undefined;
    },
    timeoutMs,
    what,
    1000,
  );
}

const logsOf = async (p: Pod) => (await kubectl("logs", p.metadata.name!)).trim();
const eventsOf = async (pod: string) => (await client.list<Event>("events", { namespace: "default" })).items.filter((e) => e.involvedObject.name === pod);

describe("images on every node of the container topology", () => {
  beforeAll(async () => {
    const missing = [...Object.values(defaultImages), registryImage].filter((i) => {
      try {
        dockerOut("image", "inspect", "-f", "{{.Id}}", i);
        return false;
      } catch {
        return true;
      }
    });
    if (missing.length) await run("bash", [join(repoRoot, "scripts/images.sh")], { timeout: 900_000 });
    registryPort = await freePort();
    const up = await skiff(
      "up",
      "--nodes",
      "3",
      "--name",
      name,
      "--internal",
      "--nats-servers",
      "1",
      "--apiservers",
      "1",
      "--schedulers",
      "1",
      "--controller-managers",
      "1",
      "--registry-port",
      String(registryPort),
      "--registry-auth",
      `${auth.user}:${auth.password}`,
      "--timeout",
      "300",
    );
    expect(up.code, up.out + up.err).toBe(0);
    const info = JSON.parse(readFileSync(join(home, "cluster.json"), "utf8"));
    client = new ApiClient({ addresses: info.apiserver.split(","), timeoutMs: 5000, tls: { dir: join(home, "pki", "admin") } });
    // The network is internal (nothing published): this host reaches the registry container
    // through a loopback forwarder of its own, as `-p 127.0.0.1:PORT:5000` would.
    const regIp = dockerOut("inspect", "-f", `{{(index .NetworkSettings.Networks "${name}-net").IPAddress}}`, `${name}-registry-1`);
    forwarder = createServer((c) => {
      const u = connect({ host: regIp, port: 5000 });
      c.pipe(u).pipe(c);
      u.on("error", () => c.destroy());
      c.on("error", () => u.destroy());
    });
    await new Promise<void>((r) => forwarder!.listen(registryPort, "127.0.0.1", r));
  }, 600_000);

  afterAll(async () => {
    client?.close();
    forwarder?.close();
    const down = await skiff("down", "--name", name);
    for (const id of dockerOut("ps", "-aq", "--filter", `label=io.skiff.topology=${name}`).split("\n").filter(Boolean))
      execFileSync("docker", ["rm", "-f", "-v", id]);
    for (const id of dockerOut("volume", "ls", "-q", "--filter", `label=io.skiff.topology=${name}`).split("\n").filter(Boolean))
      execFileSync("docker", ["volume", "rm", "-f", id]);
    for (const img of [app, `${name}/api:1`, `localhost:${registryPort}/${name}/app:r1`]) {
      try {
        execFileSync("docker", ["rmi", img], { stdio: "ignore" });
      } catch {
        /* absent */
      }
    }
    for (const id of built) {
      try {
        execFileSync("docker", ["rmi", id], { stdio: "ignore" });
      } catch {
        /* tagged elsewhere or gone */
      }
    }
    for (const d of [home, build, dockerConfig]) rmSync(d, { recursive: true, force: true });
    console.log(`[images] ${JSON.stringify(figures)}`);
    expect(down.code, down.out + down.err).toBe(0);
  }, 300_000);

  let v1 = "";
  it("loads a host-built image into every node (again: unchanged), and a Deployment spread over the nodes runs it", async () => {
    v1 = buildApp(app, "v1");
    const t0 = Date.now();
    const r = await skiff("image", "load", app);
    figures.loadSeconds = ((Date.now() - t0) / 1000).toFixed(1);
    expect(r.code, r.out + r.err).toBe(0);
    for (const n of nodes) {
      expect(r.out).toContain(`Image "${app}" loaded into node ${n}`);
      expect(nodeImageId(n, app)).toBe(v1);
    }
    const again = await skiff("image", "load", app);
    expect(again.code, again.out + again.err).toBe(0);
    for (const n of nodes) expect(again.out).toContain(`Image "${app}" already present on node ${n} with the same image id (unchanged)`);
    await client.create("deployments", deployment("app", app));
    const pods = await runningPods("app=app", 3, "3 app pods Running");
    expect(new Set(pods.map((p) => p.spec.nodeName)).size, JSON.stringify(pods.map((p) => p.spec.nodeName))).toBeGreaterThanOrEqual(2);
    for (const p of pods) expect(await logsOf(p)).toBe("v1");
    const ev = await eventsOf(pods[0].metadata.name!);
    expect(ev.map((e) => e.message)).toContain(`Container image "${app}" already present on machine`);
  }, 300_000);

  it("reports the images each node holds in status.images", async () => {
    const images = await waitFor(
      async () => {
        const n = await client.get<Node>("nodes", nodes[0]);
        return n.status?.images?.some((i) => i.names.includes(app)) ? n.status.images : undefined;
      },
      60_000,
      "status.images lists the loaded image",
      1000,
    );
    expect(images.find((i) => i.names.includes(app))!.sizeBytes).toBeGreaterThan(0);
    expect(images.map((i) => i.sizeBytes)).toEqual([...images.map((i) => i.sizeBytes)].sort((a, b) => b - a));
    const viaKubectl = await kubectl("get", "node", nodes[0], "-o", "jsonpath={.status.images[*].names}");
    expect(viaKubectl).toContain(app);
  }, 120_000);

  it("after a rebuild, loading again and `kubectl rollout restart` run the new image on new pods", async () => {
    const v2 = buildApp(app, "v2");
    expect(v2).not.toBe(v1);
    const r = await skiff("image", "load", app);
    expect(r.code, r.out + r.err).toBe(0);
    for (const n of nodes) expect(nodeImageId(n, app)).toBe(v2);
    const before = new Set((await client.list<Pod>("pods", { namespace: "default", labelSelector: "app=app" })).items.map((p) => p.metadata.name));
    await kubectl("rollout", "restart", "deployment/app");
    await kubectl("rollout", "status", "deployment/app", "--timeout=150s");
    const pods = await waitFor(
      async () => {
        const ps = await runningPods("app=app", 3, "3 app pods Running");
        return ps.every((p) => !before.has(p.metadata.name)) ? ps : undefined;
      },
      150_000,
      "only new pods",
      1000,
    );
    for (const p of pods) expect(await logsOf(p)).toBe("v2");
  }, 300_000);

  it("reports a paused node and still loads the others; loads through the agents' API with the node token", async () => {
    const api = `${name}/api:1`;
    buildApp(api, "api");
    execFileSync("docker", ["pause", nodes[2]]);
    try {
      const r = await skiff("image", "load", api);
      expect(r.code).toBe(1);
      expect(r.out).toContain(`Image "${api}" NOT loaded into node ${nodes[2]}: it is down (container paused)`);
      for (const n of nodes.slice(0, 2)) expect(r.out).toContain(`Image "${api}" loaded into node ${n}`);
    } finally {
      execFileSync("docker", ["unpause", nodes[2]]);
    }
    const token = dockerOut("inspect", "-f", "{{range .Config.Env}}{{println .}}{{end}}", nodes[0])
      .split("\n")
      .find((l) => l.startsWith("SKIFF_NODE_TOKEN="))!
      .slice("SKIFF_NODE_TOKEN=".length);
    const wrong = await skiff("image", "load", api, "--via", "api", "--node-token", "not-the-token-0123456789");
    expect(wrong.code).toBe(1);
    expect(wrong.out).toMatch(new RegExp(`NOT loaded into node ${nodes[0]}: .*node token is missing or wrong`));
    const viaApi = await skiff("image", "load", api, "--via", "api", "--node-token", token);
    expect(viaApi.code, viaApi.out + viaApi.err).toBe(0);
    expect(viaApi.out).toContain("through the node agents' API");
    for (const n of nodes.slice(0, 2)) expect(viaApi.out).toContain(`Image "${api}" already present on node ${n}`);
    expect(viaApi.out).toContain(`Image "${api}" loaded into node ${nodes[2]}`);
    expect(nodeImageId(nodes[2], api)).toBe(nodeImageId(nodes[0], api));
  }, 300_000);

  it("explains a failed pull: image, node and the engine's reason, with pull Events", async () => {
    const img = `${name}/never-loaded:1`;
    await client.create("pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "missing", namespace: "default" },
      spec: { nodeName: nodes[1], containers: [{ name: "c", image: img }] },
    } as Pod);
    const st = await waitFor(
      async () => {
        const s = (await client.get<Pod>("pods", "missing", "default")).status?.containerStatuses?.[0]?.state.waiting;
        return s && ["ErrImagePull", "ImagePullBackOff"].includes(s.reason ?? "") ? s : undefined;
      },
      60_000,
      "pull failure in status",
      500,
    );
    expect(st.message).toContain(`failed to pull image "${img}" on node ${nodes[1]}: `);
    expect(st.message).toContain(`skiff image load ${img}`);
    const ev = (await eventsOf("missing")).map((e) => `${e.reason}: ${e.message}`);
    expect(ev).toContain(`Pulling: Pulling image "${img}"`);
    expect(ev.some((m) => m.startsWith(`Failed: Failed to pull image "${img}": failed to pull image "${img}" on node ${nodes[1]}`))).toBe(true);
    const described = await kubectl("describe", "pod", "missing");
    expect(described).toMatch(/Pulling image/);
    await client.delete("pods", "missing", "default", { gracePeriodSeconds: 0 });
  }, 120_000);

  it("the cluster registry: pushed from the host, pulled on every node only with the pull secret; kept across a restart", async () => {
    const image = `localhost:${registryPort}/${name}/app:r1`;
    dockerOut("tag", app, image);
    // Asynchronously: the registry's loopback forwarder runs in this process.
    const dockerAsync = (...args: string[]) => run("docker", args, { env: { ...process.env, DOCKER_CONFIG: dockerConfig }, timeout: 120_000 });
    await expect(dockerAsync("push", image)).rejects.toThrow(/no basic auth credentials|unauthorized/);
    await dockerAsync("login", "-u", auth.user, "-p", auth.password, `localhost:${registryPort}`);
    await dockerAsync("push", image);
    // Without the secret: a clear message naming the node and what to do.
    await client.create("pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "nosecret", namespace: "default" },
      spec: { nodeName: nodes[0], containers: [{ name: "c", image, imagePullPolicy: "Always" }] },
    } as Pod);
    const st = await waitFor(
      async () => {
        const s = (await client.get<Pod>("pods", "nosecret", "default")).status?.containerStatuses?.[0]?.state.waiting;
        return s && ["ErrImagePull", "ImagePullBackOff"].includes(s.reason ?? "") ? s : undefined;
      },
      60_000,
      "pull failure without the secret",
      500,
    );
    expect(st.message).toContain(`failed to pull image "${image}" on node ${nodes[0]}: `);
    expect(st.message).toMatch(/no basic auth credentials|unauthorized/);
    expect(st.message).toContain(
      `needs credentials: give the pod imagePullSecrets naming a Secret of type kubernetes.io/dockerconfigjson with an entry for localhost:${registryPort}`,
    );
    await client.delete("pods", "nosecret", "default", { gracePeriodSeconds: 0 });
    // With it: every node pulls.
    await kubectl(
      "create",
      "secret",
      "docker-registry",
      "regcred",
      `--docker-server=localhost:${registryPort}`,
      `--docker-username=${auth.user}`,
      `--docker-password=${auth.password}`,
    );
    const dep = deployment("reg", image, { imagePullSecrets: [{ name: "regcred" }] });
    (dep.spec as { template: { spec: { containers: { imagePullPolicy?: string }[] } } }).template.spec.containers[0].imagePullPolicy = "Always";
    await client.create("deployments", dep);
    const pods = await runningPods("app=reg", 3, "3 registry pods Running");
    expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBeGreaterThanOrEqual(2);
    for (const p of pods) expect(await logsOf(p)).toBe("v2");
    const pulled = (await eventsOf(pods[0].metadata.name!)).find((e) => e.reason === "Pulled");
    expect(pulled?.message).toMatch(
      new RegExp(
        `^Successfully pulled image "${image.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}" in [\\d.]+m?s \\([\\d.]+m?s including waiting\\)\\. Image size: \\d+ bytes\\.$`,
      ),
    );
    figures.registryPulled = pulled?.message ?? "";
    // The registry's storage survives its restart: a new pod pulls the image again.
    execFileSync("docker", ["restart", `${name}-registry-1`], { stdio: "ignore" });
    await kubectl("rollout", "restart", "deployment/reg");
    await kubectl("rollout", "status", "deployment/reg", "--timeout=150s");
    await runningPods("app=reg", 3, "3 registry pods Running after the registry restarted");
  }, 400_000);

  it("collects unused images on the nodes (low thresholds) and never one a container uses", async () => {
    // v1 is unused since the rollout: the GC removes it from every node; v2 (in use) and the sandbox image stay.
    await waitFor(
      async () => nodes.every((n) => !dockerOut("exec", n, "docker", "images", "-q", "--no-trunc").includes(v1)),
      180_000,
      "v1 collected on every node",
      2000,
    );
    const apps = await runningPods("app=app", 3, "app pods still Running");
    for (const p of apps) {
      expect(nodeImageId(p.spec.nodeName!, app), p.spec.nodeName).not.toBe("");
      expect(nodeImageId(p.spec.nodeName!, "skiff/pause:3.9")).not.toBe("");
    }
    const logs = String(execFileSync("sh", ["-c", `docker logs ${nodes[0]} 2>&1 | grep -c "removed unused image" || true`])).trim();
    figures.gcRemovedOnNode1 = logs;
  }, 240_000);
});
