/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The web dashboard in real Chromium against a real cluster: sign in through the link of
// `skiff dashboard --url`, see a Deployment and its pods, scale it from the UI and from kubectl
// and watch both appear live, follow logs, run `echo` in the terminal, edit YAML (server-side
// apply, the conflict with kubectl's field shown and forced), see a CrashLoopBackOff pod's reason,
// and be refused (by RBAC) a scale as a read-only ServiceAccount. Screenshots: test-artifacts/dashboard/.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "puppeteer-core";
import { repoRoot, TestCluster } from "../harness/cluster.js";
import { consoleErrors, launchChromium, screenshot } from "../harness/browser.js";

const IMAGE = "skiff/busybox:1.35";

const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: ${IMAGE}
        command: ["sh", "-c", "echo hello from web; i=0; while true; do i=$((i+1)); echo tick $i; sleep 1; done"]
---
apiVersion: v1
kind: Pod
metadata: {name: crasher, namespace: default}
spec:
  restartPolicy: Always
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${IMAGE}
    command: ["sh", "-c", "echo config file missing > /dev/termination-log; exit 3"]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: viewer, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: viewer, namespace: default}
rules:
- apiGroups: ["", "apps"]
  resources: ["pods", "pods/log", "deployments", "replicasets", "events", "services", "endpoints", "configmaps"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewer, namespace: default}
subjects: [{kind: ServiceAccount, name: viewer, namespace: default}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: viewer}
`;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...env } });
    let stdout = "",
      stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    const t = setTimeout(() => p.kill("SIGKILL"), 60_000);
    p.on("error", reject);
    p.on("close", (code) => {
      clearTimeout(t);
      resolve({ stdout, stderr, code: code ?? -1 });
    });
    p.stdin.end(input ?? "");
  });
}

describe("the web dashboard in Chromium", () => {
  const cluster = new TestCluster({ nodes: 1 });
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];
  let env: NodeJS.ProcessEnv = {};
  let apiUrl = "";
  const kubectl = async (...args: string[]) => {
    const r = await run("kubectl", args, env);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const dashboardUrl = async () => {
    const r = await run(
      process.execPath,
      [join(repoRoot, "packages/cli/dist/main.js"), "dashboard", "--url", "--api-url", apiUrl, "--tls-dir", cluster.tlsDir("admin")],
      {},
    );
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.trim();
  };
  /** page.goto, again when Chromium aborts it because a network interface changed (other tests make Docker networks). */
  const go = async (p: Page, url: string) => {
    for (let i = 0; ; i++) {
      try {
        return await p.goto(url);
      } catch (err) {
        if (i >= 5 || !/ERR_NETWORK_CHANGED/.test((err as Error).message)) throw err;
      }
    }
  };
  const waitText = (sel: string, re: RegExp, timeout = 30_000) =>
    page.waitForFunction(
      (s, src) => [...document.querySelectorAll(s)].some((e) => new RegExp(src).test(e.textContent ?? "")),
      { timeout, polling: 100 },
      sel,
      re.source,
    );

  beforeAll(async () => {
    await cluster.start();
    env = { KUBECONFIG: await cluster.kubeconfigPath() };
    apiUrl = `https://${cluster.httpsAddress}`;
    await run("kubectl", ["apply", "-f", "-"], env, manifest).then((r) => {
      if (r.code !== 0) throw new Error(r.stderr);
    });
    await kubectl("rollout", "status", "deployment/web", "--timeout=60s");
    browser = await launchChromium();
    page = await browser.newPage();
    errors = consoleErrors(page);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cluster.stop();
  });

  it("signs in through the single-use link of `skiff dashboard --url`, which leaves no secret behind", async () => {
    const link = await dashboardUrl();
    expect(link).toMatch(new RegExp(`^${apiUrl}/dashboard/#login=[A-Za-z0-9_-]{20,}$`));
    await go(page, link);
    await waitText('[data-testid="user"]', /skiff-admin|admin/);
    expect(page.url()).not.toContain("login=");
    await waitText('[data-testid="nodes-ready"]', /^1\/1$/);
    await screenshot(page, "overview");
    // The secret was single-use: a second exchange is refused.
    const again = await page.evaluate(
      async (secret) =>
        (await fetch("/dashboard/api/exchange", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ secret }) })).status,
      link.split("login=")[1],
    );
    expect(again).toBe(401);
  });

  it("shows the Deployment and its pods, and scales from the UI and from kubectl live", async () => {
    await go(page, `${apiUrl}/dashboard/#/deployments/default/web`);
    await waitText('[data-testid="detail-ready"]', /^1\/1$/);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="workload-pods"] tbody tr').length === 1, { timeout: 20_000 });
    await page.$eval('[data-testid="scale-input"]', (e) => {
      (e as HTMLInputElement).value = "";
    });
    await page.type('[data-testid="scale-input"]', "3");
    await page.click('[data-testid="scale-button"]');
    await waitText('[data-testid="notice-ok"]', /scaled Deployment web to 3/);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="workload-pods"] tbody tr').length === 3, { timeout: 30_000 });
    await waitText('[data-testid="detail-ready"]', /^3\/3$/, 60_000);
    await screenshot(page, "deployment");
    await kubectl("scale", "deployment/web", "--replicas=2");
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="workload-pods"] tbody tr').length === 2, { timeout: 30_000 });
    await waitText('[data-testid="detail-ready"]', /^2\/2$/);
  });

  it("follows a pod's logs and runs echo in a terminal", async () => {
    const pod = (await kubectl("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}")).trim();
    await go(page, `${apiUrl}/dashboard/#/pods/default/${pod}/logs`);
    await waitText('[data-testid="logs"]', /hello from web/);
    const before = (await page.$eval('[data-testid="logs"]', (e) => e.textContent ?? "")).split("\n").length;
    await page.waitForFunction(
      (n) => (document.querySelector('[data-testid="logs"]')?.textContent ?? "").split("\n").length > n + 1,
      { timeout: 20_000 },
      before,
    );
    await screenshot(page, "logs");
    // A WebSocket that a network change breaks cannot resume: a new session is tried (at most three).
    for (let attempt = 1; ; attempt++) {
      try {
        await go(page, `${apiUrl}/dashboard/#/pods/default/${pod}/terminal`);
        await page.reload();
        await waitText('[data-testid="terminal-state"]', /connected/);
        await page.click('[data-testid="terminal"]');
        await page.keyboard.type("echo dash-$((6*7))\n");
        await waitText('[data-testid="terminal"] .xterm-rows', /dash-42/, 15_000);
        break;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
    await screenshot(page, "terminal");
  });

  it("edits YAML by server-side apply, showing the conflict with kubectl's field and forcing it", async () => {
    await go(page, `${apiUrl}/dashboard/#/yaml/default/deployments%2Fweb`);
    const yamlShown = () =>
      page.waitForFunction(() => /replicas: 2/.test((document.querySelector('[data-testid="yaml"]') as HTMLTextAreaElement | null)?.value ?? ""), {
        timeout: 20_000,
      });
    // Once more after a reload when a network change broke the page's requests.
    await yamlShown().catch(async () => {
      await screenshot(page, "yaml-first-try");
      await page.reload();
      await yamlShown();
    });
    await page.$eval('[data-testid="yaml"]', (e) => {
      const t = e as HTMLTextAreaElement;
      t.value = t.value.replace(/replicas: 2/, "replicas: 1").replace(/^ {2}annotations:\n/m, "  annotations:\n    edited-by: dashboard\n");
      t.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await page.click('[data-testid="apply"]');
    // kubectl scale made kubectl the manager of spec.replicas: the apply is a conflict until forced.
    await waitText('[data-testid="conflict"]', /conflict/i);
    await screenshot(page, "yaml-conflict");
    await page.click('[data-testid="conflict"] button');
    await waitText('[data-testid="notice-ok"]', /applied Deployment web/);
    expect((await kubectl("get", "deployment/web", "-o", "jsonpath={.spec.replicas} {.metadata.annotations.edited-by}")).trim()).toBe("1 dashboard");
  });

  it("shows why a crash-looping pod is not running", async () => {
    await go(page, `${apiUrl}/dashboard/#/pods`);
    await page.waitForFunction(
      () => {
        const row = document.querySelector('[data-testid="pods"] tr[data-name="crasher"]');
        return /CrashLoopBackOff/.test(row?.querySelector('[data-testid="pod-status"]')?.textContent ?? "");
      },
      { timeout: 60_000, polling: 200 },
    );
    const reason = await page.$eval('[data-testid="pods"] tr[data-name="crasher"] [data-testid="pod-reason"]', (e) => e.textContent ?? "");
    expect(reason).toMatch(/exit code 3/);
    expect(reason).toMatch(/config file missing/);
    await screenshot(page, "pods");
    // No console errors but the refusals this test provoked on purpose (the reused login secret, the apply conflict).
    expect(errors.filter((e) => !/status of (401|409)/.test(e))).toEqual([]);
  });

  it("says so when RBAC refuses an action (a read-only ServiceAccount's scale)", async () => {
    const token = (await kubectl("create", "token", "viewer", "-n", "default")).trim();
    const ctx = await browser.createBrowserContext();
    const p = await ctx.newPage();
    await go(p, `${apiUrl}/dashboard/`);
    await p.waitForSelector('[data-testid="token"]');
    await p.type('[data-testid="token"]', token);
    await p.click('button[type="submit"]');
    await p.waitForFunction(() => /system:serviceaccount:default:viewer/.test(document.querySelector('[data-testid="user"]')?.textContent ?? ""), {
      timeout: 20_000,
    });
    const before = (await kubectl("get", "deployment/web", "-o", "jsonpath={.spec.replicas}")).trim();
    await go(p, `${apiUrl}/dashboard/#/deployments/default/web`);
    await p.waitForSelector('[data-testid="scale-button"]', { timeout: 20_000 });
    await p.click('[data-testid="scale-button"]');
    await p.waitForFunction(
      () => /cannot scale Deployment web .*refused: .*forbidden/i.test(document.querySelector('[data-testid="notice-error"]')?.textContent ?? ""),
      { timeout: 20_000 },
    );
    await screenshot(p, "rbac-refused");
    expect((await kubectl("get", "deployment/web", "-o", "jsonpath={.spec.replicas}")).trim()).toBe(before);
    await ctx.close();
  });
});
