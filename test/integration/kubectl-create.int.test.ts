// The real kubectl's typed-client commands against a 2-node cluster: they send their bodies as
// Kubernetes protobuf (create configmap/secret/namespace/deployment/job/cronjob/service/ingress, run,
// expose, drain's evictions). Also server-side field validation (fieldValidation=Strict).
import { execFile, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import forge from "node-forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ipv4InCidr as inCidr } from "@skiff/api";
import { waitFor } from "@skiff/client";
import { TestCluster } from "../harness/cluster.js";

const run = promisify(execFile);
const IMAGE = "skiff/busybox:1.35";

/** A self-signed certificate and its key, as PEM (for `kubectl create secret tls`). */
function selfSigned(cn: string): { cert: string; key: string } {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const key = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const priv = forge.pki.privateKeyFromPem(key) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(priv.n, priv.e);
  cert.serialNumber = "01";
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  cert.setSubject([{ name: "commonName", value: cn }]);
  cert.setIssuer([{ name: "commonName", value: cn }]);
  cert.sign(priv, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key };
}

describe("kubectl create, run, expose, cordon and drain (protobuf bodies)", () => {
  const cluster = new TestCluster({ nodes: 2 });
  let kubeconfig = "";
  const kubectl = async (...args: string[]) => {
    try {
      const r = await run("kubectl", args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 180_000 });
      return r.stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`kubectl ${args.join(" ")} failed: ${e.stderr || e.message}\n${cluster.logs()}`);
    }
  };
  /** kubectl with stdout and stderr (warnings). */
  const kubectlAll = async (...args: string[]) => run("kubectl", args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 });
  const kubectlFails = async (...args: string[]) => {
    try {
      await run("kubectl", args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 });
    } catch (err) {
      return (err as { stderr: string }).stderr;
    }
    throw new Error(`kubectl ${args.join(" ")} succeeded`);
  };
  const jsonpath = (what: string, path: string) => kubectl("get", ...what.split(" "), "-o", `jsonpath=${path}`);
  /** Running pods of a label selector as name → node. */
  const runningPods = async (selector: string) => {
    const out = await kubectl(
      "get",
      "pods",
      "-l",
      selector,
      "-o",
      'jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.spec.nodeName} {.metadata.deletionTimestamp}{"\\n"}{end}',
    );
    return out
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split(" "))
      .filter(([, phase, , deleting]) => phase === "Running" && !deleting)
      .map(([name, , node]) => ({ name, node }));
  };

  beforeAll(async () => {
    await cluster.start();
    kubeconfig = await cluster.kubeconfigPath();
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it("creates a ConfigMap from literals and a file, a namespace, and Secrets (generic, tls, docker-registry)", async () => {
    const file = join(cluster.dir, "app.properties");
    writeFileSync(file, "color=blue\nsize=3\n");
    expect(await kubectl("create", "configmap", "app", "--from-literal=greeting=hello", `--from-file=${file}`)).toContain("configmap/app created");
    expect(await jsonpath("configmap app", "{.data.greeting}")).toBe("hello");
    expect(await jsonpath("configmap app", "{.data.app\\.properties}")).toBe("color=blue\nsize=3\n");

    expect(await kubectl("create", "namespace", "team-a")).toContain("namespace/team-a created");
    expect(await jsonpath("namespace team-a", "{.status.phase}")).toBe("Active");

    expect(await kubectl("create", "secret", "generic", "creds", "-n", "team-a", "--from-literal=password=s3cr3t")).toContain("secret/creds created");
    expect(Buffer.from(await jsonpath("secret creds -n team-a", "{.data.password}"), "base64").toString()).toBe("s3cr3t");

    const { cert, key } = selfSigned("web.example");
    writeFileSync(join(cluster.dir, "tls.crt"), cert);
    writeFileSync(join(cluster.dir, "tls.key"), key);
    expect(await kubectl("create", "secret", "tls", "web-tls", `--cert=${join(cluster.dir, "tls.crt")}`, `--key=${join(cluster.dir, "tls.key")}`)).toContain(
      "secret/web-tls created",
    );
    expect(await jsonpath("secret web-tls", "{.type}")).toBe("kubernetes.io/tls");
    expect(Buffer.from(await jsonpath("secret web-tls", "{.data.tls\\.crt}"), "base64").toString()).toBe(cert);
    expect(Buffer.from(await jsonpath("secret web-tls", "{.data.tls\\.key}"), "base64").toString()).toBe(key);

    await kubectl("create", "secret", "docker-registry", "pull", "--docker-server=127.0.0.1:1", "--docker-username=u", "--docker-password=p");
    expect(await jsonpath("secret pull", "{.type}")).toBe("kubernetes.io/dockerconfigjson");
    const docker = JSON.parse(Buffer.from(await jsonpath("secret pull", "{.data.\\.dockerconfigjson}"), "base64").toString());
    expect(docker.auths["127.0.0.1:1"]).toMatchObject({ username: "u", password: "p" });
  });

  it("creates a Deployment whose pods run, and exposes it; ClusterIP and NodePort services get addresses", async () => {
    expect(await kubectl("create", "deployment", "web", `--image=${IMAGE}`, "--replicas=2", "--port=8080", "--", "httpd", "-f", "-p", "8080")).toContain(
      "deployment.apps/web created",
    );
    await waitFor(async () => (await runningPods("app=web")).length === 2, 120_000, "2 running web pods");
    await waitFor(async () => (await jsonpath("deployment web", "{.status.readyReplicas}")) === "2", 60_000, "the deployment to report 2 ready replicas");
    expect(await jsonpath("deployment web", "{.spec.template.spec.containers[0].command}")).toBe('["httpd","-f","-p","8080"]');

    expect(await kubectl("expose", "deployment", "web", "--port=80", "--target-port=8080", "--name=web-svc")).toContain("service/web-svc exposed");
    expect(await jsonpath("service web-svc", "{.spec.selector.app}/{.spec.ports[0].port}/{.spec.ports[0].targetPort}")).toBe("web/80/8080");
    await waitFor(
      async () => (await jsonpath("endpoints web-svc", "{.subsets[*].addresses[*].ip}")).split(" ").filter(Boolean).length === 2,
      60_000,
      "2 endpoints for web-svc",
    );

    expect(await kubectl("create", "ingress", "web", "--rule=web.example/*=web-svc:80,tls=web-tls")).toContain("ingress.networking.k8s.io/web created");
    expect(
      await jsonpath(
        "ingress web",
        "{.spec.rules[0].host}{.spec.rules[0].http.paths[0].path}:{.spec.rules[0].http.paths[0].pathType}:{.spec.rules[0].http.paths[0].backend.service.name}:{.spec.tls[0].secretName}",
      ),
    ).toBe("web.example/:Prefix:web-svc:web-tls");

    expect(await kubectl("create", "service", "clusterip", "backend", "--tcp=5678:8080")).toContain("service/backend created");
    expect(inCidr(await jsonpath("service backend", "{.spec.clusterIP}"), cluster.serviceCidr)).toBe(true);
    expect(await jsonpath("service backend", "{.spec.ports[0].name}/{.spec.ports[0].targetPort}/{.spec.selector.app}")).toBe("5678-8080/8080/backend");

    // A NodePort no Service holds yet: the Ingress controller's own LoadBalancer Service
    // (kube-system/skiff-ingress) holds two random ones: a CI run found 30123 "already allocated".
    const held = new Set((await kubectl("get", "services", "-A", "-o", "jsonpath={..nodePort}")).split(/\s+/).filter(Boolean).map(Number));
    const asked = [30123, 30124, 30125].find((p) => !held.has(p));
    expect(await kubectl("create", "service", "nodeport", "edge", "--tcp=80:8080", `--node-port=${asked}`)).toContain("service/edge created");
    expect(await jsonpath("service edge", "{.spec.type}/{.spec.ports[0].nodePort}")).toBe(`NodePort/${asked}`);
    expect(await kubectl("create", "service", "nodeport", "edge2", "--tcp=81:8080")).toContain("service/edge2 created");
    const allocated = Number(await jsonpath("service edge2", "{.spec.ports[0].nodePort}"));
    expect(allocated).toBeGreaterThanOrEqual(30000);
    expect(allocated).toBeLessThanOrEqual(32767);
    expect(inCidr(await jsonpath("service edge2", "{.spec.clusterIP}"), cluster.serviceCidr)).toBe(true);
  });

  it("creates a Job that completes, a CronJob, and a Job from the CronJob", async () => {
    expect(await kubectl("create", "job", "once", `--image=${IMAGE}`, "--", "sh", "-c", "echo done")).toContain("job.batch/once created");
    expect(await kubectl("wait", "--for=condition=complete", "job/once", "--timeout=120s")).toContain("job.batch/once condition met");
    // job/once: kubectl finds the pod through the Job's generated spec.selector.
    expect(await kubectl("logs", "job/once")).toBe("done\n");
    expect(await kubectl("logs", "-l", "job-name=once")).toBe("done\n");

    expect(await kubectl("create", "cronjob", "nightly", `--image=${IMAGE}`, "--schedule=0 3 * * *", "--", "sh", "-c", "echo nightly")).toContain(
      "cronjob.batch/nightly created",
    );
    expect(await jsonpath("cronjob nightly", "{.spec.schedule}/{.spec.jobTemplate.spec.template.spec.restartPolicy}")).toBe("0 3 * * */OnFailure");
    expect(await kubectl("create", "job", "nightly-now", "--from=cronjob/nightly")).toContain("job.batch/nightly-now created");
    expect(
      await jsonpath(
        "job nightly-now",
        "{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}/{.metadata.annotations.cronjob\\.kubernetes\\.io/instantiate}",
      ),
    ).toBe("CronJob/nightly/manual");
    expect(await kubectl("wait", "--for=condition=complete", "job/nightly-now", "--timeout=120s")).toContain("condition met");
  });

  it("runs a pod with kubectl run", async () => {
    expect(await kubectl("run", "solo", `--image=${IMAGE}`, "--labels=role=solo", "--env=MODE=test", "--", "sh", "-c", "echo $MODE; sleep 3600")).toContain(
      "pod/solo created",
    );
    expect(await kubectl("wait", "--for=condition=Ready", "pod/solo", "--timeout=120s")).toContain("pod/solo condition met");
    await waitFor(async () => (await kubectl("logs", "solo")) === "test\n", 30_000, "the pod's output");
    expect(await jsonpath("pod solo", "{.metadata.labels.role}")).toBe("solo");
  });

  it("rejects misspelt fields under fieldValidation=Strict (kubectl's default) and warns with --validate=warn", async () => {
    const file = join(cluster.dir, "typo.yaml");
    writeFileSync(
      file,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: typo}
spec:
  selector: {matchLabels: {app: typo}}
  template:
    metadata: {labels: {app: typo}}
    spec:
      containerz: []
      containers: [{name: c, image: ${IMAGE}}]
`,
    );
    const err = await kubectlFails("apply", "-f", file);
    expect(err).toContain("Error from server (BadRequest)");
    expect(err).toContain('strict decoding error: unknown field "spec.template.spec.containerz"');
    expect(await kubectlFails("get", "deployment", "typo")).toContain("NotFound");
    const warned = await kubectlAll("apply", "-f", file, "--validate=warn");
    expect(warned.stdout).toContain("deployment.apps/typo created");
    expect(warned.stderr).toContain('Warning: unknown field "spec.template.spec.containerz"');
    await kubectl("delete", "deployment", "typo");
  });

  it("cordons and uncordons a node", async () => {
    const node = cluster.nodeName(1);
    expect(await kubectl("cordon", node)).toContain(`node/${node} cordoned`);
    expect(await jsonpath(`node ${node}`, "{.spec.unschedulable}")).toBe("true");
    expect(await kubectl("get", "node", node)).toMatch(/Ready,SchedulingDisabled/);
    expect(await kubectl("uncordon", node)).toContain(`node/${node} uncordoned`);
    expect(await jsonpath(`node ${node}`, "{.spec.unschedulable}")).toBe("");
  });

  it("drains a node: its pods are evicted and the Deployment's pods come back on the other node", async () => {
    const pods = await runningPods("app=web");
    const drained = pods[0].node;
    const other = [cluster.nodeName(0), cluster.nodeName(1)].find((n) => n !== drained)!;
    const out = await kubectl("drain", drained, "--ignore-daemonsets", "--delete-emptydir-data", "--force", "--grace-period=5", "--timeout=150s");
    expect(out).toContain(`node/${drained} cordoned`);
    expect(out).toMatch(new RegExp(`evicting pod default/${pods[0].name}`));
    expect(out).toContain(`node/${drained} drained`);
    expect(await jsonpath(`node ${drained}`, "{.spec.unschedulable}")).toBe("true");
    // No pod is left on the drained node but its mirror pods (drain skips those, as in Kubernetes),
    // and the Deployment is whole again on the other one.
    const left = (await kubectl("get", "pods", "-A", "--field-selector", `spec.nodeName=${drained}`, "-o", "name")).trim().split("\n").sort();
    expect(left).toEqual(["skiff-dns", "skiff-ingress", "skiff-proxy"].map((c) => `pod/${c}-${drained}`));
    await waitFor(
      async () => {
        const now = await runningPods("app=web");
        return now.length === 2 && now.every((p) => p.node === other);
      },
      120_000,
      "2 web pods running on the other node",
    );
    expect((await runningPods("app=web")).map((p) => p.name)).not.toContain(pods[0].name);
    expect(await kubectl("uncordon", drained)).toContain("uncordoned");
  });

  it("kubectl drain stops at a PodDisruptionBudget (429) and completes once the budget allows", async () => {
    const pods = await runningPods("app=web");
    const node = pods[0].node;
    expect(pods.every((p) => p.node === node)).toBe(true); // the previous test moved them all here
    const pdb = join(cluster.dir, "pdb.yaml");
    writeFileSync(
      pdb,
      "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  minAvailable: 2\n  selector: {matchLabels: {app: web}}\n",
    );
    await kubectl("apply", "-f", pdb);
    await waitFor(async () => (await jsonpath("pdb web", "{.status.currentHealthy}")) === "2", 30_000, "the budget sees 2 healthy pods");
    expect(await jsonpath("pdb web", "{.status.disruptionsAllowed}")).toBe("0");
    // --force: the pod from `kubectl run` (no controller) may share the node; the budget is what is tested.
    const drain = spawn("kubectl", ["drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--force", "--grace-period=5", "--timeout=150s"], {
      env: { ...process.env, KUBECONFIG: kubeconfig },
    });
    let output = "";
    let exitCode: number | undefined;
    drain.stdout.on("data", (d) => (output += d));
    drain.stderr.on("data", (d) => (output += d));
    const exited = new Promise<number>((r) => drain.on("exit", (c) => r((exitCode = c ?? -1))));
    try {
      await waitFor(
        async () => {
          if (exitCode !== undefined) throw new Error(`kubectl drain exited ${exitCode} early:\n${output}`);
          return output.includes("Cannot evict pod as it would violate the pod's disruption budget");
        },
        30_000,
        "drain told the budget blocks it",
      );
      expect((await runningPods("app=web")).length).toBe(2);
      // A third replica (on the other node: this one is cordoned) lets the budget spend one at a time.
      await kubectl("scale", "deployment", "web", "--replicas=3");
      expect(await exited).toBe(0);
      expect(output).toContain(`node/${node} drained`);
      await waitFor(async () => (await runningPods("app=web")).filter((p) => p.node !== node).length === 3, 120_000, "3 web pods on the other node");
    } finally {
      drain.kill();
      await kubectl("uncordon", node);
      await kubectl("delete", "pdb", "web");
    }
  });
});
