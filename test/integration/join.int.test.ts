// The VM guide's control-plane commands on this host (loopback only): `skiff pki init` writes the
// PKI and NATS configuration, `skiff controlplane` starts a closed control plane and prints a join
// command with a fresh token and the CA hash, and `skiff node --join` refuses a bad, revoked or
// expired token and a CA that does not match the hash before it starts anything.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import { freePort, Proc, repoRoot } from "../harness/cluster.js";

const run = promisify(execFile);
const home = mkdtempSync(join(tmpdir(), "skiff-join-home-"));
const env = { ...process.env, SKIFF_HOME: home, SKIFF_SKIP_SETUP: "1" };

async function skiff(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  try {
    const r = await run(join(repoRoot, "skiff"), args, { env, cwd: home, timeout: 120_000 });
    return { out: r.stdout, err: r.stderr, code: 0 };
  } catch (e) {
    const x = e as { stdout: string; stderr: string; code: number };
    return { out: x.stdout, err: x.stderr, code: x.code };
  }
}

describe("skiff controlplane and skiff node --join (the VM guide's commands)", () => {
  let nats: Proc | undefined;
  let join0: { join: string; token: string; caCertHash: string; apiservers: string[]; nats: string[] };
  let https = 0;

  beforeAll(async () => {
    const [natsPort, apiPort] = [await freePort(), await freePort()];
    https = await freePort();
    const init = await skiff("pki", "init", "--nats-hosts", "127.0.0.1", "--nodes", "vm-node-1", "--nats-store-dir", join(home, "nats"));
    expect(init.code, init.out + init.err).toBe(0);
    expect(init.out).toMatch(/CA pin for joining: sha256:[0-9a-f]{64}/);
    // The guide starts nats-server with the generated configuration (here on a free port).
    const { readFileSync, writeFileSync } = await import("node:fs");
    const conf = join(home, "pki", "nats", "n1.conf");
    writeFileSync(conf, readFileSync(conf, "utf8").replace("port: 4222", `port: ${natsPort}`).replace('host: "0.0.0.0"', 'host: "127.0.0.1"'));
    nats = new Proc("nats", "nats-server", ["-c", conf], join(home, "nats.log"));
    await waitFor(() => existsSync(join(home, "nats.log")) && readFileSync(join(home, "nats.log"), "utf8").includes("Server is ready"), 20_000, "nats-server");
    const cp = await skiff(
      "controlplane",
      "--nats",
      `nats://127.0.0.1:${natsPort}`,
      "--listen",
      `127.0.0.1:${apiPort}`,
      "--advertise",
      `127.0.0.1:${apiPort}`,
      "--https-port",
      String(https),
      "-o",
      "json",
    );
    expect(cp.code, cp.out + cp.err).toBe(0);
    join0 = JSON.parse(cp.out.trim().split("\n").pop()!);
  }, 180_000);

  afterAll(async () => {
    await skiff("down");
    await nats?.kill();
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it("prints a join command with a fresh token and the CA hash", async () => {
    expect(join0.join).toMatch(
      new RegExp(
        `^skiff node --join 127\\.0\\.0\\.1:\\d+ --token [a-z0-9]{6}\\.[a-z0-9]{16} --ca-cert-hash sha256:[0-9a-f]{64} --nats nats://127\\.0\\.0\\.1:\\d+ --bootstrap-server https://127\\.0\\.0\\.1:${https}$`,
      ),
    );
    const list = await skiff("token", "list");
    expect(list.out).toContain(join0.token.split(".")[0]);
    // Another one, as kubeadm token create --print-join-command.
    const again = await skiff("token", "create", "--ttl", "10m", "--print-join-command");
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/^skiff node --join .* --token [a-z0-9]{6}\.[a-z0-9]{16} --ca-cert-hash sha256:/);
    expect(again.out).not.toContain(join0.token);
  });

  it("refuses a bad token, a revoked one and a CA that does not match the hash, before starting anything", async () => {
    const args = join0.join.split(" ").slice(1);
    const withToken = (t: string) => args.map((a, i) => (args[i - 1] === "--token" ? t : a));
    const bad = await skiff(...withToken("abcdef.0123456789abcdef"), "--node-name", "vm-node-1", "--home", join(home, "n1"));
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/the cluster refused to let this machine join: join token abcdef is not valid: it was revoked or never created/);
    const hash = args.map((a, i) => (args[i - 1] === "--ca-cert-hash" ? `sha256:${"0".repeat(64)}` : a));
    const pinned = await skiff(...hash, "--node-name", "vm-node-1", "--home", join(home, "n1"));
    expect(pinned.err).toMatch(/refusing to send the join token/);
    const del = await skiff("token", "delete", join0.token);
    expect(del.code, del.err).toBe(0);
    const revoked = await skiff(...args, "--node-name", "vm-node-1", "--home", join(home, "n1"));
    expect(revoked.err).toMatch(/revoked or never created/);
    // Nothing ran and nothing was written for the refused joins.
    expect(existsSync(join(home, "n1", "run", "node-agent.pid"))).toBe(false);
    expect(existsSync(join(home, "n1", "pki", "node", "tls.crt"))).toBe(false);
  });
});
