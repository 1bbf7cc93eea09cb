import { describe, expect, it } from "vitest";
import type { ConfigMap, Pod, Secret } from "@skiff/api";
import { ConfigError, expand, fieldValue, resolveEnv, type ConfigSources } from "./env.js";

const pod: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "ns", uid: "u1", labels: { app: "web", tier: "fe" } },
  spec: { nodeName: "n1", containers: [{ name: "c", image: "i", resources: { limits: { cpu: "500m", memory: "64Mi" } } }] },
  status: { podIP: "10.1.0.5", hostIP: "192.168.1.2" },
};
const cms: Record<string, ConfigMap> = { "ns/cfg": { metadata: { name: "cfg" }, data: { color: "blue", size: "L" } } };
const secrets: Record<string, Secret> = { "ns/sec": { metadata: { name: "sec" }, data: { password: Buffer.from("hunter2").toString("base64") } } };
const src: ConfigSources = {
  configMap: (ns, n) => cms[`${ns}/${n}`],
  secret: (ns, n) => secrets[`${ns}/${n}`],
  allocatable: { cpu: "2", memory: "1Gi" },
};

describe("resolveEnv", () => {
  it("resolves values, references, fields and resources, expanding $(VAR)", () => {
    const env = resolveEnv(
      pod,
      {
        name: "c",
        image: "i",
        envFrom: [{ configMapRef: { name: "cfg" }, prefix: "CM_" }],
        env: [
          { name: "A", value: "x" },
          { name: "B", value: "$(A)-$(NOPE)-$$(A)" },
          { name: "COLOR", valueFrom: { configMapKeyRef: { name: "cfg", key: "color" } } },
          { name: "PW", valueFrom: { secretKeyRef: { name: "sec", key: "password" } } },
          { name: "IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
          { name: "APP", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: "MEM", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } } },
          { name: "CPU", valueFrom: { resourceFieldRef: { resource: "limits.cpu" } } },
          { name: "OPT", valueFrom: { configMapKeyRef: { name: "cfg", key: "missing", optional: true } } },
        ],
      },
      src,
    );
    expect(Object.fromEntries(env)).toEqual({
      CM_color: "blue",
      CM_size: "L",
      A: "x",
      B: "x-$(NOPE)-$(A)",
      COLOR: "blue",
      PW: "hunter2",
      IP: "10.1.0.5",
      APP: "web",
      MEM: "64",
      CPU: "1",
    });
  });

  it("fails with Kubernetes' messages on missing objects and keys", () => {
    const run = (env: object[]) => () => resolveEnv(pod, { name: "c", image: "i", env: env as never }, src);
    expect(run([{ name: "X", valueFrom: { configMapKeyRef: { name: "cfg", key: "nope" } } }])).toThrow(
      new ConfigError("couldn't find key nope in ConfigMap ns/cfg"),
    );
    expect(run([{ name: "X", valueFrom: { secretKeyRef: { name: "gone", key: "k" } } }])).toThrow('secret "gone" not found');
    expect(() => resolveEnv(pod, { name: "c", image: "i", envFrom: [{ configMapRef: { name: "none" } }] }, src)).toThrow('configmap "none" not found');
    expect(resolveEnv(pod, { name: "c", image: "i", envFrom: [{ secretRef: { name: "none", optional: true } }] }, src).size).toBe(0);
  });

  it("renders label maps and rejects unknown field paths", () => {
    expect(fieldValue(pod, "metadata.labels")).toBe('app="web"\ntier="fe"');
    expect(() => fieldValue(pod, "spec.bogus")).toThrow(ConfigError);
    expect(expand("$(A)$(A)", new Map([["A", "1"]]))).toBe("11");
  });
});
