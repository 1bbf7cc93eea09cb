// Images on the compose topology (docker-compose.yml, run by Debian's docker-compose v1 — and
// by `docker compose` where it is installed): `skiff --home DIR/.skiff-compose image load` finds
// the project's node containers, a Deployment over the 3 nodes runs the image, a rebuilt image
// loaded again reaches the pods of `kubectl rollout restart`, and the compose registry serves a
// pushed image to every node as localhost:5001. The project runs from a copy of
// docker-compose.yml made safe for a test: an internal network, nothing published, its own
// project name and cgroup parents.
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { ApiClient, waitFor } from "@skiff/client";
import type { KObject, Pod } from "@skiff/api";
import { freePort, repoRoot } from "../harness/cluster.js";
import { defaultImages, registryImage } from "../../packages/cli/src/topology/plan.js";

const run = promisify(execFile);
const project = `skiffimg${Date.now().toString(36).slice(-6)}`;
const dir = mkdtempSync(join(tmpdir(), "skiff-compose-images-"));
const build = mkdtempSync(join(tmpdir(), "skiff-compose-build-"));
const dockerConfig = mkdtempSync(join(tmpdir(), "skiff-compose-docker-"));
const home = join(dir, ".skiff-compose");
const app = `${project}/app:1`;
const tag = process.env.SKIFF_IMAGE_TAG || "latest";
/** docker-compose v1 (Debian's), else Compose v2 where installed. */
const composeCmd = (() => {
  for (const c of [["docker-compose"], ["docker", "compose"]]) {
    try {
      execFileSync(c[0], [...c.slice(1), "version"], { stdio: "ignore" });
      return c;
    } catch {
      /* next */
    }
  }
  return undefined;
})();
let client: ApiClient;
let kubeconfig = "";
let forwarder: Server | undefined;
/** Image ids this test built on the host (a rebuilt tag leaves the old one dangling). */
const built: string[] = [];
let registryPort = 0;

const dockerOut = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8", timeout: 300_000 }).trim();
const compose = (...args: string[]) =>
  run(composeCmd![0], [...composeCmd!.slice(1), "-p", project, "-f", join(dir, "docker-compose.yml"), ...args], {
    cwd: dir,
    env: { ...process.env, SKIFF_IMAGE_TAG: tag },
    timeout: 300_000,
  });
async function skiff(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  try {
    const r = await run(join(repoRoot, "skiff"), args, { env: { ...process.env, SKIFF_SKIP_SETUP: "1", SKIFF_HOME: "" }, cwd: dir, timeout: 300_000 });
    return { out: r.stdout, err: r.stderr, code: 0 };
  } catch (e) {
    const x = e as { stdout: string; stderr: string; code: number };
    return { out: x.stdout, err: x.stderr, code: typeof x.code === "number" ? x.code : 1 };
  }
}
const ipOf = (container: string) => dockerOut("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", container);

function buildApp(version: string): string {
  writeFileSync(join(build, "Dockerfile"), `FROM skiff/busybox:1.35\nRUN echo ${version} > /version\nCMD ["sh", "-c", "cat /version; exec sleep 3600"]\n`);
  dockerOut("build", "-q", "-t", app, build);
  const id = dockerOut("image", "inspect", "-f", "{{.Id}}", app);
  built.push(id);
  return id;
}

async function runningPods(label: string, what: string): Promise<Pod[]> {
  return waitFor(
    async () => {
      const pods = (await client.list<Pod>("pods", { namespace: "default", labelSelector: label })).items.filter((p) => !p.metadata.deletionTimestamp);
      return pods.length === 3 && pods.every((p) => p.status?.phase === "Running") ? pods : undefined;
    },
    180_000,
    what,
    1000,
  );
}

describe.skipIf(!composeCmd)("images on the compose topology", () => {
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
    const file = parse(readFileSync(join(repoRoot, "docker-compose.yml"), "utf8"), { merge: true }) as {
      services: Record<string, Record<string, unknown>>;
      networks: Record<string, Record<string, unknown>>;
    };
    for (const [svcName, svc] of Object.entries(file.services)) {
      delete svc.ports;
      delete svc.build;
      const env = svc.environment as Record<string, string> | undefined;
      if (env?.SKIFF_CGROUP_PARENT) env.SKIFF_CGROUP_PARENT = `/${project}-${svcName}`;
      if (svcName.startsWith("node-")) svc.command = ["--pod-network-internal"];
    }
    file.networks.cluster = { internal: true };
    // Quoted: PyYAML (docker-compose v1) reads a bare `no` as false.
    writeFileSync(join(dir, "docker-compose.yml"), stringify(file, { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" }));
    mkdirSync(home, { recursive: true });
    await compose("up", "-d");
    const init = dockerOut("ps", "-aq", "--filter", `label=com.docker.compose.project=${project}`, "--filter", "label=com.docker.compose.service=init");
    const code = (await run("docker", ["wait", init], { timeout: 300_000 })).stdout.trim();
    expect(code, dockerOut("logs", init)).toBe("0");
    const api = ipOf(`${project}_apiserver-1_1`) || ipOf(`${project}-apiserver-1-1`);
    // The init service copies the admin certificate out beside the kubeconfig.
    client = new ApiClient({ addresses: [`${api}:6444`], timeoutMs: 5000, tls: { dir: join(home, "pki", "admin") } });
    // kubectl from this host: the apiserver's own address is in its certificate.
    kubeconfig = join(dir, "kubeconfig-test");
    writeFileSync(kubeconfig, readFileSync(join(home, "kubeconfig"), "utf8").replace("https://127.0.0.1:6443", `https://${api}:6443`));
    registryPort = await freePort();
    const reg = ipOf(`${project}_registry_1`) || ipOf(`${project}-registry-1`);
    forwarder = createServer((c) => {
      const u = connect({ host: reg, port: 5000 });
      c.pipe(u).pipe(c);
      u.on("error", () => c.destroy());
      c.on("error", () => u.destroy());
    });
    await new Promise<void>((r) => forwarder!.listen(registryPort, "127.0.0.1", r));
  }, 600_000);

  afterAll(async () => {
    client?.close();
    forwarder?.close();
    if (composeCmd) await compose("down", "-v", "--remove-orphans").catch((err) => console.log(`[compose] down failed: ${err}`));
    for (const img of [app, `localhost:5001/${project}/app:1`, `localhost:${registryPort}/${project}/app:1`]) {
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
    for (const d of [dir, build, dockerConfig]) rmSync(d, { recursive: true, force: true });
  }, 300_000);

  it("skiff image load finds the project's nodes; a Deployment runs the image; a rebuild reaches the pods of a rollout restart", async () => {
    const v1 = buildApp("v1");
    const r = await skiff("--home", home, "image", "load", app);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain(`through compose project ${project}`);
    expect(r.out.match(/loaded into node/g)).toHaveLength(3);
    await client.create("deployments", {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "app", namespace: "default" },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "app" } },
        template: { metadata: { labels: { app: "app" } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "app", image: app }] } },
      },
    } as KObject);
    const pods = await runningPods("app=app", "3 pods Running");
    for (const p of pods) expect(p.status?.containerStatuses?.[0]?.imageID).toBe(`docker-pullable://${v1}`);
    const v2 = buildApp("v2");
    const again = await skiff("--home", home, "image", "load", app);
    expect(again.code, again.out + again.err).toBe(0);
    const kubectl = (...args: string[]) => run("kubectl", args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 200_000 });
    await kubectl("rollout", "restart", "deployment/app");
    await kubectl("rollout", "status", "deployment/app", "--timeout=180s");
    const after = await waitFor(
      async () => {
        const ps = await runningPods("app=app", "3 pods Running after the restart");
        return ps.every((p) => p.status?.containerStatuses?.[0]?.imageID === `docker-pullable://${v2}`) ? ps : undefined;
      },
      180_000,
      "pods on v2",
      1000,
    );
    expect((await kubectl("logs", after[0].metadata.name!)).stdout.trim()).toBe("v2");
  }, 500_000);

  it("the compose registry: pushed from the host, pulled by every node as localhost:5001/…", async () => {
    const pushed = `localhost:${registryPort}/${project}/app:1`;
    dockerOut("tag", app, pushed);
    await run("docker", ["push", pushed], { env: { ...process.env, DOCKER_CONFIG: dockerConfig }, timeout: 120_000 });
    await client.create("daemonsets", {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "reg", namespace: "default" },
      spec: {
        selector: { matchLabels: { app: "reg" } },
        template: {
          metadata: { labels: { app: "reg" } },
          spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "app", image: `localhost:5001/${project}/app:1`, imagePullPolicy: "Always" }] },
        },
      },
    } as KObject);
    const pods = await runningPods("app=reg", "a registry pod Running on each of the 3 nodes");
    expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(3);
  }, 300_000);
});
