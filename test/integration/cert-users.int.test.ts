// Users with client certificates, as `skiff kubeconfig user` issues them: the real kubectl with
// that kubeconfig is the user (CN) in its groups (O); a RoleBinding lets it work in one
// namespace and it is Forbidden in another; a group binding applies; an expired certificate is 401.
import { execFile } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, TestCluster } from "../harness/cluster.js";

const run = promisify(execFile);

describe("client-certificate users (skiff kubeconfig user)", () => {
  const cluster = new TestCluster({ nodes: 0, scheduler: false });
  const dir = mkdtempSync(join(tmpdir(), "skiff-certusers-"));
  let admin = "";
  const kubectl = async (kubeconfig: string, ...args: string[]): Promise<{ ok: boolean; out: string }> => {
    try {
      const r = await run("kubectl", args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 });
      return { ok: true, out: r.stdout.trim() };
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      return { ok: false, out: (e.stderr?.trim() || e.stdout?.trim() || e.message).trim() };
    }
  };
  const must = async (kubeconfig: string, ...args: string[]) => {
    const r = await kubectl(kubeconfig, ...args);
    if (!r.ok) throw new Error(`kubectl ${args.join(" ")} failed: ${r.out}`);
    return r.out;
  };
  /** ./skiff kubeconfig user …, signing from the test cluster's PKI directory. */
  const issue = async (...args: string[]) => {
    const r = await run(
      join(repoRoot, "skiff"),
      ["kubeconfig", "user", ...args, "--pki-dir", cluster.pkiDir, "--api-server", `https://${cluster.httpsAddress}`],
      { env: { ...process.env, SKIFF_HOME: dir }, timeout: 60_000 },
    );
    return r;
  };

  beforeAll(async () => {
    await cluster.start();
    admin = await cluster.kubeconfigPath();
    for (const ns of ["team-a", "team-b", "team-c"]) await must(admin, "create", "namespace", ns);
    await must(admin, "create", "rolebinding", "alice-edit", "--clusterrole=edit", "--user=alice", "-n", "team-a");
    await must(admin, "create", "rolebinding", "devs-view", "--clusterrole=view", "--group=dev", "-n", "team-c");
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it("a user from skiff kubeconfig user works where its RoleBinding is and is Forbidden elsewhere", async () => {
    const file = join(dir, "alice.kubeconfig");
    const r = await issue("alice", "--group", "dev", "--group", "qa", "--ttl", "1h", "-o", file);
    expect(r.stderr).toContain("wrote");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const who = JSON.parse(await must(file, "auth", "whoami", "-o", "json")).status.userInfo;
    expect(who.username).toBe("alice");
    expect(who.groups).toEqual(expect.arrayContaining(["dev", "qa", "system:authenticated"]));
    // edit in team-a: create and list.
    expect(await must(file, "create", "configmap", "notes", "--from-literal=k=v", "-n", "team-a")).toContain("configmap/notes created");
    expect(await must(file, "get", "configmaps", "-n", "team-a")).toContain("notes");
    // Nothing in team-b.
    const denied = await kubectl(file, "get", "pods", "-n", "team-b");
    expect(denied.ok).toBe(false);
    expect(denied.out).toContain(
      'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "team-b"',
    );
    // The group dev may view team-c, not write there.
    expect((await kubectl(file, "get", "pods", "-n", "team-c")).ok).toBe(true);
    const write = await kubectl(file, "create", "configmap", "x", "-n", "team-c");
    expect(write.out).toContain('configmaps is forbidden: User "alice" cannot create resource "configmaps" in API group "" in the namespace "team-c"');
    expect(await must(file, "auth", "can-i", "delete", "pods", "-n", "team-a")).toBe("yes");
  });

  it("an expired certificate is Unauthorized; system:masters needs --allow-masters; the CA key is needed", async () => {
    const file = join(dir, "brief.kubeconfig");
    await issue("brief", "--ttl", "2s", "-o", file);
    await new Promise((r) => setTimeout(r, 3500));
    const expired = await kubectl(file, "get", "pods", "-n", "team-a");
    expect(expired.ok).toBe(false);
    expect(expired.out).toMatch(/Unauthorized|certificate has expired|expired certificate/i);
    await expect(issue("root", "--group", "system:masters")).rejects.toMatchObject({ stderr: expect.stringContaining("--allow-masters") });
    const noKey = await run(join(repoRoot, "skiff"), ["kubeconfig", "user", "bob", "--pki-dir", join(dir, "nowhere"), "--api-server", "https://127.0.0.1:1"], {
      env: { ...process.env, SKIFF_HOME: dir },
    }).catch((e) => e);
    expect(noKey.stderr).toContain("run this on a control-plane host");
  });
});
