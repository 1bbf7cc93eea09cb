import { describe, expect, it } from "vitest";
import type { Pod, Taint } from "@skiff/api";
import { evictionDelayMs, tolerates } from "./eviction.js";

const added = "2024-01-01T00:00:00Z";
const t0 = Date.parse(added);
const unreachable: Taint = { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: added };
const pod = (tolerations: Pod["spec"]["tolerations"]): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p" },
  spec: { containers: [], tolerations },
});

describe("taint-based eviction", () => {
  it("counts tolerationSeconds from the taint's timeAdded", () => {
    const p = pod([{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 20 }]);
    expect(evictionDelayMs(p, [unreachable], t0 + 5000, 1000)).toBe(15_000);
    expect(evictionDelayMs(p, [unreachable], t0 + 25_000, 1000)).toBe(0);
  });

  it("tolerates forever without tolerationSeconds (daemon pods)", () => {
    expect(evictionDelayMs(pod([{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" }]), [unreachable], t0, 1000)).toBeUndefined();
    expect(evictionDelayMs(pod([{ operator: "Exists" }]), [unreachable], t0, 1000)).toBeUndefined();
  });

  it("uses the controller's timeout for pods that do not tolerate the taint, and ignores NoSchedule taints", () => {
    expect(evictionDelayMs(pod([]), [unreachable], t0, 20_000)).toBe(20_000);
    expect(evictionDelayMs(pod([]), [{ ...unreachable, effect: "NoSchedule" }], t0, 20_000)).toBeUndefined();
  });

  it("evicts at once a pod that does not tolerate a NoExecute taint a user put on the node (kubectl taint … :NoExecute)", () => {
    const dedicated: Taint = { key: "dedicated", value: "db", effect: "NoExecute", timeAdded: added };
    expect(evictionDelayMs(pod([]), [dedicated], t0 + 100, 20_000)).toBe(0);
    expect(
      evictionDelayMs(pod([{ key: "dedicated", operator: "Equal", value: "db", effect: "NoExecute", tolerationSeconds: 60 }]), [dedicated], t0, 20_000),
    ).toBe(60_000);
    expect(evictionDelayMs(pod([{ key: "dedicated", operator: "Exists" }]), [dedicated], t0, 20_000)).toBeUndefined();
  });

  it("matches tolerations by key, value and effect", () => {
    expect(tolerates({ key: "a", operator: "Equal", value: "1", effect: "NoExecute" }, { key: "a", value: "1", effect: "NoExecute" })).toBe(true);
    expect(tolerates({ key: "a", operator: "Equal", value: "2" }, { key: "a", value: "1", effect: "NoExecute" })).toBe(false);
    expect(tolerates({ key: "a", operator: "Exists", effect: "NoSchedule" }, { key: "a", effect: "NoExecute" })).toBe(false);
  });
});
