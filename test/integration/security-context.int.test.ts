// securityContext on real Docker: the user and groups a container runs as, fsGroup on an
// emptyDir, dropped capabilities, no-new-privileges, seccomp, a read-only root filesystem, a
// safe sysctl in the pod's sandbox; runAsNonRoot refusing a root image (CreateContainerConfigError)
// and an unsafe sysctl refusing the pod (SysctlForbidden), both with the kubelet's words.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import type { Node, Pod } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";
import { BUSYBOX as BB, readAll, testPod as pod } from "../harness/pods.js";
import { GrpcNodeConnector } from "../../services/apiserver/src/nodes/grpc-connector.js";

const TOKEN = "security-test-token";
const REPORT = [
  "echo uid=$(id -u) gid=$(id -g) groups=$(id -G)",
  "grep -E '^(CapBnd|NoNewPrivs|Seccomp):' /proc/self/status",
  "if touch /tmp/rootfs-probe 2>/dev/null; then echo rootfs=writable; else echo rootfs=readonly; fi",
  "touch /data/f-$(id -u) && echo data=$(stat -c '%g %a' /data) file=$(stat -c '%g' /data/f-$(id -u))",
  "echo ports=$(cat /proc/sys/net/ipv4/ip_local_port_range)",
  "echo done; sleep 3600",
].join("; ");

describe("securityContext enforced by the node agent", () => {
  const cluster = new TestCluster({ nodes: 1, agentFlags: ["--node-token", TOKEN] });
  let connector: GrpcNodeConnector;
  const get = (n: string) => cluster.client.get<Pod>("pods", n, "default");
  const logsOf = async (p: Pod, container: string) => readAll(await connector.logs(p, { container }));

  beforeAll(async () => {
    await cluster.start();
    connector = new GrpcNodeConnector({ getNode: (n) => cluster.client.get<Node>("nodes", n), token: TOKEN, credentials: (n) => cluster.agentCredentials(n) });
  });
  afterAll(async () => {
    connector?.close();
    await cluster.stop();
  });

  it("runs containers as the pod and container say: users, groups, fsGroup, capabilities, seccomp, read-only root, sysctls", async () => {
    await cluster.client.create(
      "pods",
      pod("ids", {
        securityContext: {
          runAsUser: 1000,
          runAsGroup: 3000,
          supplementalGroups: [4000],
          fsGroup: 2000,
          seccompProfile: { type: "RuntimeDefault" },
          sysctls: [{ name: "net.ipv4.ip_local_port_range", value: "20000 30000" }],
        },
        volumes: [{ name: "data", emptyDir: {} }],
        containers: [
          {
            name: "locked",
            image: BB,
            command: ["sh", "-c", REPORT],
            volumeMounts: [{ name: "data", mountPath: "/data" }],
            securityContext: {
              runAsUser: 1234,
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] },
            },
          },
          {
            name: "podlevel",
            image: BB,
            command: ["sh", "-c", REPORT],
            volumeMounts: [{ name: "data", mountPath: "/data" }],
            securityContext: { seccompProfile: { type: "Unconfined" } },
          },
        ],
      } as Partial<Pod["spec"]>),
    );
    await waitFor(async () => (await get("ids")).status?.phase === "Running", 60_000, "ids Running");
    const p = await get("ids");
    let locked = "";
    let podlevel = "";
    await waitFor(
      async () => {
        [locked, podlevel] = await Promise.all([logsOf(p, "locked"), logsOf(p, "podlevel")]);
        return locked.includes("done") && podlevel.includes("done");
      },
      30_000,
      "both containers reported",
    );
    // Container runAsUser wins; the pod's group, supplementalGroups and fsGroup apply to both.
    expect(locked).toMatch(/^uid=1234 gid=3000 groups=3000 (?=.*\b2000\b)(?=.*\b4000\b).*$/m);
    expect(podlevel).toMatch(/^uid=1000 gid=3000 groups=3000 (?=.*\b2000\b)(?=.*\b4000\b).*$/m);
    // drop ALL + add NET_BIND_SERVICE (bit 10) leaves exactly 0x400 in the bounding set; the other
    // keeps Docker's default set (CapEff is empty for both: they run as non-root users).
    expect(locked).toMatch(/^CapBnd:\s+0000000000000400$/m);
    expect(podlevel).toMatch(/^CapBnd:\s+00000000a80425fb$/m);
    expect(locked).toMatch(/^NoNewPrivs:\s+1$/m);
    expect(podlevel).toMatch(/^NoNewPrivs:\s+0$/m);
    // RuntimeDefault is a filter (mode 2); the container's Unconfined overrides the pod's.
    expect(locked).toMatch(/^Seccomp:\s+2$/m);
    expect(podlevel).toMatch(/^Seccomp:\s+0$/m);
    expect(locked).toContain("rootfs=readonly");
    expect(podlevel).toContain("rootfs=writable");
    // fsGroup: the emptyDir belongs to group 2000 with the setgid bit; new files inherit the group.
    expect(locked).toContain("data=2000 2777 file=2000");
    expect(podlevel).toContain("data=2000 2777 file=2000");
    // The safe sysctl is set in the pod's network namespace.
    expect(locked).toMatch(/ports=20000\s+30000/);
  });

  it("runAsNonRoot with a root image never starts and says why", async () => {
    const created = await cluster.client.create<Pod>(
      "pods",
      pod("rootless", {
        securityContext: { runAsNonRoot: true },
        containers: [{ name: "main", image: BB, command: ["sh", "-c", "echo started; sleep 3600"] }],
      } as Partial<Pod["spec"]>),
    );
    const want = `container has runAsNonRoot and image will run as root (pod: "rootless_default(${created.metadata.uid})", container: main)`;
    await waitFor(
      async () => (await get("rootless")).status?.containerStatuses?.[0]?.state?.waiting?.reason === "CreateContainerConfigError",
      60_000,
      "CreateContainerConfigError",
    );
    const st = (await get("rootless")).status!;
    expect(st.containerStatuses![0].state.waiting!.message).toBe(want);
    expect(st.phase).toBe("Pending");
    // Still refused a few syncs later: nothing ran.
    await new Promise((r) => setTimeout(r, 4000));
    const again = (await get("rootless")).status!;
    expect(again.containerStatuses![0].state.waiting?.reason).toBe("CreateContainerConfigError");
    expect(again.containerStatuses![0].restartCount).toBe(0);
    expect(again.containerStatuses![0].lastState?.terminated).toBeUndefined();
    // The same pod with runAsUser: 1000 starts (a numeric non-root user satisfies the policy).
    await cluster.client.create(
      "pods",
      pod("rootless-ok", {
        securityContext: { runAsNonRoot: true, runAsUser: 1000 },
        containers: [{ name: "main", image: BB, command: ["sh", "-c", "sleep 3600"] }],
      } as Partial<Pod["spec"]>),
    );
    await waitFor(async () => (await get("rootless-ok")).status?.phase === "Running", 60_000, "rootless-ok Running");
  });

  it("an unsafe sysctl is refused by the node: the pod fails with SysctlForbidden", async () => {
    await cluster.client.create(
      "pods",
      pod("somaxconn", {
        securityContext: { sysctls: [{ name: "net.core.somaxconn", value: "1024" }] },
        containers: [{ name: "main", image: BB, command: ["sleep", "3600"] }],
      } as Partial<Pod["spec"]>),
    );
    await waitFor(async () => (await get("somaxconn")).status?.phase === "Failed", 60_000, "somaxconn Failed");
    const st = (await get("somaxconn")).status!;
    expect(st.reason).toBe("SysctlForbidden");
    expect(st.message).toBe('Pod was rejected: forbidden sysctl: "net.core.somaxconn" not allowlisted');
  });
});
