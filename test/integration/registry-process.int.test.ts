// The cluster registry as `skiff controlplane --registry` runs it: Debian's docker-registry as a
// detached process with htpasswd auth on a loopback port. This host's engine pushes to it only
// with the credentials, the image is still there after the process restarts (same data
// directory), and `skiff down` stops it.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../harness/cluster.js";
import { startRegistry, stopRegistry } from "../../packages/cli/src/cluster/registry.js";

const run = promisify(execFile);
const home = mkdtempSync(join(tmpdir(), "skiff-registry-home-"));
const dockerConfig = mkdtempSync(join(tmpdir(), "skiff-registry-docker-"));
const hasRegistry = (() => {
  try {
    execFileSync("sh", ["-c", "command -v docker-registry && command -v htpasswd"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
const docker = (...args: string[]) => run("docker", args, { env: { ...process.env, DOCKER_CONFIG: dockerConfig }, timeout: 120_000 });

describe.skipIf(!hasRegistry)("the cluster registry as a process (skiff controlplane --registry)", () => {
  let image = "";
  afterAll(async () => {
    await stopRegistry(home);
    if (image) await docker("rmi", image).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
    rmSync(dockerConfig, { recursive: true, force: true });
  });

  it("asks for the credentials, keeps pushed images across a restart, and stops", async () => {
    const port = await freePort();
    image = `localhost:${port}/skiff-test/app:${Date.now().toString(36)}`;
    await startRegistry(home, `127.0.0.1:${port}`, "carol:pw-123");
    // Up once /v2/ answers (401 without credentials).
    const deadline = Date.now() + 20_000;
    let status = 0;
    while (Date.now() < deadline && status !== 401) {
      status = await fetch(`http://127.0.0.1:${port}/v2/`).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 401) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(401);
    await docker("tag", "skiff/busybox:1.35", image);
    await expect(docker("push", image)).rejects.toThrow(/no basic auth credentials|unauthorized/);
    await docker("login", "-u", "carol", "-p", "pw-123", `localhost:${port}`);
    await docker("push", image);
    const auth = { authorization: `Basic ${Buffer.from("carol:pw-123").toString("base64")}` };
    const tags = async () => (await (await fetch(`http://127.0.0.1:${port}/v2/skiff-test/app/tags/list`, { headers: auth })).json()) as { tags?: string[] };
    expect((await tags()).tags).toContain(image.split(":").pop());
    // Restart: the same data directory.
    expect(await stopRegistry(home)).toBe(true);
    await startRegistry(home, `127.0.0.1:${port}`, "carol:pw-123");
    const t = await (async () => {
      for (let i = 0; i < 100; i++) {
        const r = await tags().catch(() => undefined);
        if (r) return r;
        await new Promise((res) => setTimeout(res, 200));
      }
      return undefined;
    })();
    expect(t?.tags).toContain(image.split(":").pop());
    expect(await stopRegistry(home)).toBe(true);
    expect(
      await fetch(`http://127.0.0.1:${port}/v2/`).then(
        (r) => r.status,
        () => 0,
      ),
    ).toBe(0);
  }, 120_000);
});
