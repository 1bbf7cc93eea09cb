import { describe, expect, it } from "vitest";
import type { Pod, RuntimeContainerSpec } from "@skiff/api";
import { ConfigError } from "../../config/env.js";
import { forbiddenSysctl, sandboxSysctls, securityConfig, verifyRunAsNonRoot } from "./security-context.js";

const pod = (spec: Record<string, unknown>, container: Record<string, unknown> = {}): [Pod, RuntimeContainerSpec] => {
  const c = { name: "main", image: "img", ...container } as RuntimeContainerSpec;
  return [{ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns", uid: "u1" }, spec: { containers: [c], ...spec } } as Pod, c];
};
const root = async () => "";

describe("securityContext → engine config", () => {
  it("container fields win over the pod's; groups are the pod's supplementalGroups and fsGroup", async () => {
    const [p, c] = pod(
      { securityContext: { runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000], fsGroup: 2000 } },
      { securityContext: { runAsUser: 1234 } },
    );
    expect(await securityConfig(p, c, root)).toEqual({ user: "1234:3000", groupAdd: ["4000", "2000"] });
  });

  it("runAsGroup alone keeps the image's user", async () => {
    const [p, c] = pod({ securityContext: { runAsGroup: 5 } });
    expect((await securityConfig(p, c, async () => "app:app")).user).toBe("app:5");
    expect((await securityConfig(p, c, root)).user).toBe("0:5");
  });

  it("capabilities, privileged, no-new-privileges, read-only root, seccomp", async () => {
    const [p, c] = pod(
      { securityContext: { seccompProfile: { type: "RuntimeDefault" } } },
      {
        securityContext: {
          capabilities: { add: ["net_bind_service"], drop: ["ALL"] },
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          seccompProfile: { type: "Unconfined" },
        },
      },
    );
    expect(await securityConfig(p, c, root)).toEqual({
      capAdd: ["NET_BIND_SERVICE"],
      capDrop: ["ALL"],
      readonlyRootfs: true,
      securityOpt: ["no-new-privileges", "seccomp=unconfined"],
    });
    const [p2, c2] = pod({}, { securityContext: { privileged: true } });
    expect(await securityConfig(p2, c2, root)).toEqual({ privileged: true, securityOpt: ["seccomp=unconfined"] });
    const [p3, c3] = pod({ securityContext: { seccompProfile: { type: "Localhost", localhostProfile: "x.json" } } });
    await expect(securityConfig(p3, c3, root)).rejects.toThrow(ConfigError);
  });

  it("runAsNonRoot refuses root as the kubelet words it", () => {
    const [p, c] = pod({ securityContext: { runAsNonRoot: true } });
    expect(() => verifyRunAsNonRoot(p, c, "")).toThrow('container has runAsNonRoot and image will run as root (pod: "p_ns(u1)", container: main)');
    expect(() => verifyRunAsNonRoot(p, c, "0:0")).toThrow("image will run as root");
    expect(() => verifyRunAsNonRoot(p, c, "nobody")).toThrow("image has non-numeric user (nobody), cannot verify user is non-root");
    expect(() => verifyRunAsNonRoot(p, c, "1000")).not.toThrow();
    const [p2, c2] = pod({ securityContext: { runAsNonRoot: true } }, { securityContext: { runAsUser: 0 } });
    expect(() => verifyRunAsNonRoot(p2, c2, "1000")).toThrow("container's runAsUser breaks non-root policy");
    const [p3, c3] = pod({ securityContext: { runAsNonRoot: true, runAsUser: 7 } }, { securityContext: { runAsNonRoot: false } });
    expect(() => verifyRunAsNonRoot(p3, c3, "")).not.toThrow();
  });

  it("sysctls: the safe set passes, others are refused unless allowed; host namespaces refuse theirs", () => {
    const [ok] = pod({
      securityContext: {
        sysctls: [
          { name: "net.ipv4.ip_local_port_range", value: "1024 2048" },
          { name: "kernel/shm_rmid_forced", value: "1" },
        ],
      },
    });
    expect(forbiddenSysctl(ok)).toBeUndefined();
    expect(sandboxSysctls(ok)).toEqual({ "net.ipv4.ip_local_port_range": "1024 2048", "kernel.shm_rmid_forced": "1" });
    const [bad] = pod({ securityContext: { sysctls: [{ name: "net.core.somaxconn", value: "1024" }] } });
    expect(forbiddenSysctl(bad)).toBe('forbidden sysctl: "net.core.somaxconn" not allowlisted');
    expect(forbiddenSysctl(bad, new Set(["net.core.*"]))).toBeUndefined();
    const [host] = pod({ hostNetwork: true, securityContext: { sysctls: [{ name: "net.ipv4.tcp_syncookies", value: "1" }] } });
    expect(forbiddenSysctl(host)).toBe('sysctl "net.ipv4.tcp_syncookies" not allowed with host net enabled');
  });
});
