import { describe, it, expect } from "vitest";
import type { Container, Pod } from "@skiff/api";
import { applyContainerDefaults, violations } from "./limit-ranger.js";
import { usageOf } from "./resource-quota.js";
import { checkPod, levelOf } from "./pod-security.js";

const pod = (containers: Container[], extra: Partial<Pod["spec"]> = {}, phase?: string): Pod =>
  ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "n" },
    spec: { containers, ...extra },
    ...(phase ? { status: { phase } } : {}),
  }) as Pod;

describe("LimitRange semantics", () => {
  it("fills defaults without overriding what the container set; a limit alone is also the request", () => {
    const c: Container = { name: "c", image: "i", resources: { limits: { memory: "1Gi" } } };
    applyContainerDefaults(c, { type: "Container", default: { cpu: "500m", memory: "256Mi" }, defaultRequest: { cpu: "100m" } });
    expect(c.resources).toEqual({ limits: { memory: "1Gi", cpu: "500m" }, requests: { memory: "1Gi", cpu: "100m" } });
  });

  it("reports min, max and ratio violations in Kubernetes' words", () => {
    expect(
      violations("Container", { cpu: "50m" }, { cpu: "2" }, { type: "Container", min: { cpu: "100m" }, max: { cpu: "1" }, maxLimitRequestRatio: { cpu: "4" } }),
    ).toEqual([
      "minimum cpu usage per Container is 100m, but request is 50m",
      "maximum cpu usage per Container is 1, but limit is 2",
      "cpu max limit to request ratio per Container is 4, but provided ratio is 40.000000",
    ]);
    expect(violations("Pod", {}, {}, { type: "Pod", max: { memory: "1Gi" } })).toEqual(["maximum memory usage per Pod is 1Gi.  No limit is specified"]);
  });
});

describe("quota usage", () => {
  const web = pod(
    [
      { name: "a", image: "i", resources: { requests: { cpu: "250m", memory: "64Mi" }, limits: { cpu: "500m" } } },
      { name: "b", image: "i", resources: { requests: { cpu: "250m" } } },
    ],
    { initContainers: [{ name: "init", image: "i", resources: { requests: { cpu: "1" } } }] },
  );

  it("counts pods and their compute (the larger of the containers' sum and any init container)", () => {
    expect(usageOf("pods", "", web, ["pods", "requests.cpu", "limits.cpu", "requests.memory", "cpu", "count/pods"])).toEqual({
      pods: 1,
      "requests.cpu": 1,
      "limits.cpu": 0.5,
      "requests.memory": 64 * 1024 * 1024,
      cpu: 1,
      "count/pods": 1,
    });
  });

  it("finished pods count for nothing; scopes select the pods they name", () => {
    expect(usageOf("pods", "", { ...web, status: { phase: "Succeeded" } } as Pod, ["pods"])).toEqual({});
    const bare = pod([{ name: "a", image: "i" }]);
    expect(usageOf("pods", "", bare, ["pods"], ["BestEffort"])).toEqual({ pods: 1 });
    expect(usageOf("pods", "", web, ["pods"], ["BestEffort"])).toEqual({});
    expect(usageOf("pods", "", bare, ["pods"], ["Terminating"])).toEqual({});
  });

  it("counts services by type and other kinds by count/<resource>.<group>", () => {
    const svc = { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { type: "LoadBalancer", ports: [{ port: 80 }, { port: 443 }] } };
    expect(usageOf("services", "", svc, ["services", "services.loadbalancers", "services.nodeports"])).toEqual({
      services: 1,
      "services.loadbalancers": 1,
      "services.nodeports": 2,
    });
    expect(usageOf("deployments", "apps", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" } }, ["count/deployments.apps", "pods"])).toEqual({
      "count/deployments.apps": 1,
    });
  });
});

describe("Pod Security Standards", () => {
  const plain = pod([{ name: "app", image: "i" }]);
  const hardened = pod([
    {
      name: "app",
      image: "i",
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    } as Container,
  ]);

  it("privileged allows anything; baseline refuses privileged containers, host namespaces and hostPath", () => {
    const priv = pod([{ name: "app", image: "i", securityContext: { privileged: true } } as Container], {
      hostNetwork: true,
      volumes: [{ name: "root", hostPath: { path: "/" } }],
    } as never);
    expect(checkPod(priv, "privileged")).toEqual([]);
    expect(checkPod(priv, "baseline")).toEqual([
      "host namespaces (hostNetwork=true)",
      'privileged (container "app" must not set securityContext.privileged=true)',
      'hostPath volumes (volume "root")',
    ]);
    expect(checkPod(plain, "baseline")).toEqual([]);
  });

  it("restricted needs no escalation, dropped capabilities, non-root and a seccomp profile", () => {
    expect(checkPod(plain, "restricted")).toEqual([
      'allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)',
      'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"])',
      'runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true)',
      'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ]);
    expect(checkPod(hardened, "restricted")).toEqual([]);
  });

  it("a namespace's labels give the level; an unknown level counts as restricted", () => {
    const ns = (labels: Record<string, string>) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name: "n", labels } });
    expect(levelOf(ns({}), "enforce")).toBe("privileged");
    expect(levelOf(ns({ "pod-security.kubernetes.io/enforce": "baseline" }), "enforce")).toBe("baseline");
    expect(levelOf(ns({ "pod-security.kubernetes.io/warn": "bogus" }), "warn")).toBe("restricted");
  });
});
