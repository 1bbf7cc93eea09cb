// Users and roles with the real kubectl: RBAC decisions as `kubectl auth can-i` (with --as and
// --list) and `kubectl get` see them, Kubernetes' wording of denials, escalation prevention and
// `kubectl auth whoami`.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestCluster } from "../harness/cluster.js";

const run = promisify(execFile);

describe("RBAC with the real kubectl", () => {
  // A static token file gives one more user (Kubernetes' --token-auth-file).
  const tokenFile = join(mkdtempSync(join(tmpdir(), "skiff-tokens-")), "tokens.csv");
  writeFileSync(tokenFile, 'grace-secret-token,grace,1001,"ops"\n');
  const cluster = new TestCluster({ nodes: 0, scheduler: false, apiserverFlags: ["--token-auth-file", tokenFile] });
  let kubeconfig = "";
  /** kubectl's stdout, or its stderr when it fails (with ok=false). */
  const kubectl = async (...args: string[]): Promise<{ ok: boolean; out: string }> => {
    try {
      const r = await run("kubectl", args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 });
      return { ok: true, out: r.stdout.trim() };
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      // `kubectl auth can-i` answers "no" on stdout and exits 1; errors go to stderr.
      return { ok: false, out: (e.stdout?.trim() || e.stderr || e.message).trim() };
    }
  };
  const must = async (...args: string[]) => {
    const r = await kubectl(...args);
    if (!r.ok) throw new Error(`kubectl ${args.join(" ")} failed: ${r.out}\n${cluster.logs()}`);
    return r.out;
  };

  beforeAll(async () => {
    await cluster.start();
    kubeconfig = await cluster.kubeconfigPath();
    for (const ns of ["team-a", "team-b"]) await must("create", "namespace", ns);
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it("kubectl auth whoami names the admin and its groups", async () => {
    const out = await must("auth", "whoami", "-o", "json");
    expect(JSON.parse(out).status.userInfo).toMatchObject({ username: "skiff-admin", groups: expect.arrayContaining(["system:masters"]) });
  });

  it("applies RBAC objects from YAML under strict field validation; kubectl explain knows their fields", async () => {
    const dir = mkdtempSync(join(tmpdir(), "skiff-rbac-"));
    try {
      const manifest = (verbsKey: string) =>
        [
          "apiVersion: rbac.authorization.k8s.io/v1",
          "kind: Role",
          "metadata: {name: yaml-reader, namespace: team-b}",
          `rules: [{apiGroups: [""], resources: [configmaps], ${verbsKey}: [get, list]}]`,
          "---",
          "apiVersion: rbac.authorization.k8s.io/v1",
          "kind: RoleBinding",
          "metadata: {name: yaml-reader, namespace: team-b}",
          "subjects: [{kind: User, name: erin, apiGroup: rbac.authorization.k8s.io}]",
          "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: yaml-reader}",
        ].join("\n");
      writeFileSync(join(dir, "good.yaml"), manifest("verbs"));
      const out = await must("apply", "-f", join(dir, "good.yaml"));
      expect(out).toContain("role.rbac.authorization.k8s.io/yaml-reader created");
      expect(out).toContain("rolebinding.rbac.authorization.k8s.io/yaml-reader created");
      // The Role alone, so that kubectl's output is the error.
      writeFileSync(join(dir, "bad.yaml"), manifest("verb").split("---")[0]);
      const bad = await kubectl("apply", "-f", join(dir, "bad.yaml"));
      expect(bad.ok).toBe(false);
      expect(bad.out).toContain('unknown field "rules[0].verb"');
      const explained = await must("explain", "role.rules");
      expect(explained).toContain("verbs");
      expect(explained).toContain("resourceNames");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a RoleBinding lets a user read pods in one namespace and nowhere else, as can-i and get both see", async () => {
    expect((await kubectl("auth", "can-i", "list", "pods", "-n", "team-a", "--as", "alice")).out).toBe("no");
    await must("create", "role", "pod-reader", "-n", "team-a", "--verb=get,list,watch", "--resource=pods");
    await must("create", "rolebinding", "alice-reads", "-n", "team-a", "--role=pod-reader", "--user=alice");
    // The authorizer's cache follows the store through a watch.
    const deadline = Date.now() + 10_000;
    while ((await kubectl("auth", "can-i", "list", "pods", "-n", "team-a", "--as", "alice")).out !== "yes") {
      if (Date.now() > deadline) throw new Error("alice never got list on pods in team-a");
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await kubectl("auth", "can-i", "list", "pods", "-n", "team-b", "--as", "alice")).out).toBe("no");
    expect((await kubectl("auth", "can-i", "delete", "pods", "-n", "team-a", "--as", "alice")).out).toBe("no");
    expect(await must("get", "pods", "-n", "team-a", "--as", "alice")).toMatch(/No resources found|^$/);
    const denied = await kubectl("get", "pods", "-n", "team-b", "--as", "alice");
    expect(denied.ok).toBe(false);
    expect(denied.out).toContain('pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "team-b"');
    const list = await must("auth", "can-i", "--list", "-n", "team-a", "--as", "alice");
    expect(list).toMatch(/pods\s+\[\]\s+\[\]\s+\[get list watch\]/);
    expect((await kubectl("auth", "can-i", "get", "secrets", "-n", "team-a", "--as", "alice")).out).toBe("no");
  });

  it("groups and the aggregated view role: view reads deployments but never secrets", async () => {
    await must("create", "rolebinding", "devs-view", "-n", "team-b", "--clusterrole=view", "--group=devs");
    const can = async (...a: string[]) => (await kubectl("auth", "can-i", ...a, "-n", "team-b", "--as", "carol", "--as-group", "devs")).out;
    const deadline = Date.now() + 10_000;
    while ((await can("list", "deployments.apps")) !== "yes") {
      if (Date.now() > deadline) throw new Error("group devs never got view in team-b");
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await can("get", "pods/log")).toBe("yes");
    expect(await can("get", "secrets")).toBe("no");
    expect(await can("create", "deployments.apps")).toBe("no");
  });

  it("nobody grants what they do not hold: a binding to admin by an edit user is refused, one to view is allowed", async () => {
    await must("create", "rolebinding", "dave-edit", "-n", "team-a", "--clusterrole=edit", "--user=dave");
    await must("create", "role", "binder", "-n", "team-a", "--verb=create", "--resource=rolebindings.rbac.authorization.k8s.io");
    await must("create", "rolebinding", "dave-binds", "-n", "team-a", "--role=binder", "--user=dave");
    const deadline = Date.now() + 10_000;
    while ((await kubectl("auth", "can-i", "create", "rolebindings", "-n", "team-a", "--as", "dave")).out !== "yes") {
      if (Date.now() > deadline) throw new Error("dave never got create on rolebindings");
      await new Promise((r) => setTimeout(r, 200));
    }
    const refused = await kubectl("create", "rolebinding", "bob-admin", "-n", "team-a", "--clusterrole=admin", "--user=bob", "--as", "dave");
    expect(refused.ok).toBe(false);
    expect(refused.out).toContain('user "dave"');
    expect(refused.out).toContain("is attempting to grant RBAC permissions not currently held");
    expect((await kubectl("get", "rolebinding", "bob-admin", "-n", "team-a")).ok).toBe(false);
    await must("create", "rolebinding", "bob-view", "-n", "team-a", "--clusterrole=view", "--user=bob", "--as", "dave");
  });

  it("the cluster starts with Kubernetes' default roles and bindings", async () => {
    const roles = await must("get", "clusterroles", "-o", "name");
    for (const r of ["cluster-admin", "admin", "edit", "view", "system:basic-user", "system:discovery"])
      expect(roles).toContain(`clusterrole.rbac.authorization.k8s.io/${r}`);
    const binding = JSON.parse(await must("get", "clusterrolebinding", "cluster-admin", "-o", "json"));
    expect(binding.subjects).toEqual([{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "system:masters" }]);
  });

  it("a ServiceAccount bound to view lists pods with its own token but may not delete them or read Secrets", async () => {
    // The controller-manager gives every namespace a default account.
    const deadline = Date.now() + 15_000;
    while (!(await kubectl("get", "serviceaccount", "default", "-n", "team-a")).ok) {
      if (Date.now() > deadline) throw new Error("team-a never got its default service account");
      await new Promise((r) => setTimeout(r, 300));
    }
    await must("create", "serviceaccount", "viewer", "-n", "team-a");
    await must("create", "rolebinding", "viewer-view", "-n", "team-a", "--clusterrole=view", "--serviceaccount=team-a:viewer");
    const token = await must("create", "token", "viewer", "-n", "team-a", "--duration=15m");
    expect(token.split(".")).toHaveLength(3);
    const as = (...args: string[]) => kubectl(...args, "--token", token);
    const until = Date.now() + 10_000;
    while (!(await as("get", "pods", "-n", "team-a")).ok) {
      if (Date.now() > until) throw new Error(`the viewer token never listed pods: ${(await as("get", "pods", "-n", "team-a")).out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const who = JSON.parse((await as("auth", "whoami", "-o", "json")).out);
    expect(who.status.userInfo.username).toBe("system:serviceaccount:team-a:viewer");
    expect(who.status.userInfo.groups).toEqual(expect.arrayContaining(["system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated"]));
    const del = await as("delete", "pod", "anything", "-n", "team-a");
    expect(del.out).toContain(
      'pods "anything" is forbidden: User "system:serviceaccount:team-a:viewer" cannot delete resource "pods" in API group "" in the namespace "team-a"',
    );
    const secrets = await as("get", "secrets", "-n", "team-a");
    expect(secrets.ok).toBe(false);
    expect(secrets.out).toContain('cannot list resource "secrets"');
    // Without impersonate permission the account cannot act as someone else.
    const imp = await as("get", "pods", "-n", "team-a", "--as", "alice");
    expect(imp.out).toContain('cannot impersonate resource "users"');
    // The account's tokens die with it.
    await must("delete", "serviceaccount", "viewer", "-n", "team-a");
    const after = await as("get", "pods", "-n", "team-a");
    expect(after.ok).toBe(false);
    expect(after.out).toMatch(/Unauthorized|must be logged in/);
  });

  it("a user from the static token file is who the file says and has what RBAC gives its group", async () => {
    const as = (...args: string[]) => kubectl(...args, "--token", "grace-secret-token");
    expect(JSON.parse((await as("auth", "whoami", "-o", "json")).out).status.userInfo).toMatchObject({
      username: "grace",
      groups: ["ops", "system:authenticated"],
    });
    expect((await as("get", "configmaps", "-n", "team-b")).out).toContain('User "grace" cannot list resource "configmaps"');
    await must("create", "rolebinding", "ops-edit", "-n", "team-b", "--clusterrole=edit", "--group=ops");
    const until = Date.now() + 10_000;
    while (!(await as("create", "configmap", "from-grace", "-n", "team-b", "--from-literal=a=b")).ok) {
      if (Date.now() > until) throw new Error("grace never got edit through her group");
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await kubectl("get", "configmaps", "-n", "team-b", "--token", "not-a-token")).out).toMatch(/Unauthorized|must be logged in/);
  });
});
