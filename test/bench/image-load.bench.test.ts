// npm run bench:image-load — `skiff image load` of a 100 MB image (SKIFF_BENCH_IMAGE_MB) into the
// 3 nodes of `skiff up --nodes 3` (internal network), by `docker exec` (container topologies) and
// through the node agents' LoadImage (the VM path), beside the floor measured in the same run:
// `docker save IMG | docker exec NODE docker load` into one node (one copy, nothing else).
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { repoRoot } from "../harness/cluster.js";
import { printTable } from "./stats.js";

const run = promisify(execFile);
const MB = Number(process.env.SKIFF_BENCH_IMAGE_MB ?? 100);
const name = `b${Date.now().toString(36).slice(-6)}`;
const home = mkdtempSync(join(tmpdir(), "skiff-bench-image-home-"));
const build = mkdtempSync(join(tmpdir(), "skiff-bench-image-build-"));
const image = `${name}/big:1`;
const nodes = [1, 2, 3].map((i) => `${name}-node-${i}`);
const env = { ...process.env, SKIFF_HOME: home, SKIFF_SKIP_SETUP: "1" };
const docker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8", timeout: 600_000 }).trim();
const skiff = (...args: string[]) => run(join(repoRoot, "skiff"), args, { env, cwd: home, timeout: 900_000 });
const timed = async (f: () => Promise<unknown>) => {
  const t0 = Date.now();
  await f();
  return (Date.now() - t0) / 1000;
};
const clear = () => {
  for (const n of nodes) {
    try {
      execFileSync("docker", ["exec", n, "docker", "rmi", image], { stdio: "ignore" });
    } catch {
      /* absent */
    }
  }
};

beforeAll(async () => {
  await skiff(
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
  );
  writeFileSync(join(build, "Dockerfile"), `FROM skiff/busybox:1.35\nRUN head -c ${MB * 1_000_000} /dev/urandom > /blob\n`);
  docker("build", "-q", "-t", image, build);
}, 900_000);

afterAll(async () => {
  await skiff("down", "--name", name).catch(() => undefined);
  try {
    execFileSync("docker", ["rmi", image], { stdio: "ignore" });
  } catch {
    /* absent */
  }
  rmSync(home, { recursive: true, force: true });
  rmSync(build, { recursive: true, force: true });
}, 300_000);

it(`loads a ${MB} MB image into 3 nodes`, async () => {
  const token = docker("inspect", "-f", "{{range .Config.Env}}{{println .}}{{end}}", nodes[0])
    .split("\n")
    .find((l) => l.startsWith("SKIFF_NODE_TOKEN="))!
    .slice("SKIFF_NODE_TOKEN=".length);
  const floor = await timed(() => run("sh", ["-c", `docker save ${image} | docker exec -i ${nodes[0]} docker load -q`], { timeout: 600_000 }));
  clear();
  const viaDocker = await timed(() => skiff("image", "load", image));
  for (const n of nodes) expect(docker("exec", n, "docker", "image", "inspect", "-f", "{{.Id}}", image)).toMatch(/^sha256:/);
  clear();
  const viaApi = await timed(() => skiff("image", "load", image, "--via", "api", "--node-token", token));
  for (const n of nodes) expect(docker("exec", n, "docker", "image", "inspect", "-f", "{{.Id}}", image)).toMatch(/^sha256:/);
  printTable(
    `skiff image load, ${MB} MB image, 3 nodes (floor: docker save | docker exec -i node docker load, one node)`,
    ["what", "seconds", "ratio to floor"],
    [
      ["floor (1 node)", floor.toFixed(1), "1.00"],
      ["skiff image load (docker exec), 3 nodes", viaDocker.toFixed(1), (viaDocker / floor).toFixed(2)],
      ["skiff image load --via api (LoadImage), 3 nodes", viaApi.toFixed(1), (viaApi / floor).toFixed(2)],
    ],
  );
}, 900_000);
