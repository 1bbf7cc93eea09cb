import { describe, expect, it } from "vitest";
import { CONTROLLER_MANAGER_LEASE, DEFAULT_SCHEDULER_LEASE } from "@skiff/client";
import { containerOfHolder, FirstLeaderLookup, holderOf, leaseKey } from "./leader.js";
import { pickSeeded } from "./pick.js";

describe("pickSeeded", () => {
  const pods = ["a", "b", "c", "d", "e", "f"];
  it("chooses the same victims for the same seed, whatever the input order", () => {
    expect(pickSeeded(pods, 2, 42, (x) => x)).toEqual(pickSeeded([...pods].reverse(), 2, 42, (x) => x));
  });
  it("chooses differently for other seeds and never more than there are", () => {
    const choices = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((s) => pickSeeded(pods, 2, s, (x) => x).join()));
    expect(choices.size).toBeGreaterThan(1);
    expect(pickSeeded(pods, 10, 1, (x) => x).sort()).toEqual(pods);
  });
});

describe("leader lookup", () => {
  it("reads the holder from the usual lease shapes", () => {
    expect(holderOf({ holderIdentity: "x" })).toBe("x");
    expect(holderOf({ spec: { holderIdentity: "y" } })).toBe("y");
    expect(holderOf({ holder: "z" })).toBe("z");
    expect(holderOf(undefined)).toBeUndefined();
  });
  it("maps a holder identity to its container, longest name first", () => {
    const names = ["t-scheduler-1", "t-scheduler-10", "t-scheduler-2"];
    expect(containerOfHolder("t-scheduler-1", names)).toBe("t-scheduler-1");
    expect(containerOfHolder("t-scheduler-10_3f2a", names)).toBe("t-scheduler-10");
    expect(containerOfHolder("t-scheduler-3", names)).toBeUndefined();
  });
  it("looks up the lease keys the scheduler and controller-manager campaign on", () => {
    expect(leaseKey("controller-manager")).toBe(CONTROLLER_MANAGER_LEASE);
    expect(leaseKey("controller-manager")).toBe("kube-controller-manager");
    expect(leaseKey("scheduler")).toBe(DEFAULT_SCHEDULER_LEASE);
    expect(leaseKey("scheduler")).toBe("default-scheduler");
    expect(leaseKey("scheduler", "my-scheduler")).toBe("my-scheduler");
  });
  it("asks each lookup in turn", async () => {
    const l = new FirstLeaderLookup([
      { holder: async () => undefined },
      {
        holder: async () => {
          throw new Error("down");
        },
      },
      { holder: async () => "h" },
    ]);
    expect(await l.holder("scheduler")).toBe("h");
  });
});
