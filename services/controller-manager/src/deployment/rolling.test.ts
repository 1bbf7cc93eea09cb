import { describe, expect, it } from "vitest";
import { rollingNewReplicas, rollingOldReplicas } from "./rolling.js";
import { resolveFenceposts } from "../common/intstr.js";

describe("rolling update arithmetic", () => {
  it("resolves percentages: surge rounds up, unavailable down, both zero → unavailable 1", () => {
    expect(resolveFenceposts("25%", "25%", 3)).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts("25%", "25%", 10)).toEqual({ surge: 3, unavailable: 2 });
    expect(resolveFenceposts(0, "10%", 5)).toEqual({ surge: 0, unavailable: 1 });
    expect(resolveFenceposts("33%", "33%", 7)).toEqual({ surge: 3, unavailable: 2 });
    expect(resolveFenceposts(2, 1, 3)).toEqual({ surge: 2, unavailable: 1 });
  });

  it("grows the new set up to replicas+surge in total", () => {
    expect(rollingNewReplicas(3, 1, 3, 0)).toBe(1);
    expect(rollingNewReplicas(3, 2, 3, 0)).toBe(2);
    expect(rollingNewReplicas(3, 1, 4, 1)).toBe(1); // at the ceiling
    expect(rollingNewReplicas(5, 3, 5, 0)).toBe(3);
    expect(rollingNewReplicas(3, 1, 2, 1)).toBe(3); // room for two more: 4 total allowed
    expect(rollingNewReplicas(3, 5, 3, 0)).toBe(3); // never above desired
    expect(rollingNewReplicas(3, 1, 5, 4)).toBe(3); // scaled down mid-rollout
  });

  it("shrinks old sets only while replicas-maxUnavailable stay available", () => {
    // 3 replicas, surge 1, unavailable 0: the new pod must be available before an old one goes.
    expect(rollingOldReplicas(3, 0, 1, 0, [{ spec: 3, available: 3 }])).toEqual([3]);
    expect(rollingOldReplicas(3, 0, 1, 1, [{ spec: 3, available: 3 }])).toEqual([2]);
    // unavailable 1: one old may go at once.
    expect(rollingOldReplicas(3, 1, 1, 0, [{ spec: 3, available: 3 }])).toEqual([2]);
    // odd values: 5 replicas, surge 3, unavailable 2, 3 new not yet available.
    expect(rollingOldReplicas(5, 2, 3, 0, [{ spec: 5, available: 5 }])).toEqual([3]);
    expect(rollingOldReplicas(5, 2, 3, 2, [{ spec: 5, available: 5 }])).toEqual([1]); // 1 old + 2 new = 3 available
    expect(rollingOldReplicas(5, 2, 3, 3, [{ spec: 3, available: 3 }])).toEqual([0]);
  });

  it("removes unhealthy old replicas first, oldest set first", () => {
    expect(
      rollingOldReplicas(4, 1, 1, 0, [
        { spec: 2, available: 0 },
        { spec: 2, available: 2 },
      ]),
    ).toEqual([1, 2]); // maxScaledDown = 5 - 3 - 1
    expect(
      rollingOldReplicas(4, 1, 2, 2, [
        { spec: 1, available: 1 },
        { spec: 3, available: 3 },
      ]),
    ).toEqual([0, 1]); // 6 available, 3 needed
  });

  it("counts available pods at most up to spec (surplus pods are about to be deleted)", () => {
    // old was already scaled 3→1 but its 3 pods have not gone yet: no further scale-down.
    expect(rollingOldReplicas(3, 1, 1, 1, [{ spec: 1, available: 1 }])).toEqual([1]);
  });

  it("never goes below minimum availability over a whole simulated rollout", () => {
    for (const [desired, surge, unavail] of [
      [3, 1, 0],
      [3, 0, 1],
      [5, 2, 1],
      [7, 3, 2],
      [4, 1, 3],
      [1, 1, 0],
    ]) {
      let newSpec = 0,
        newAvail = 0;
      let old = [{ spec: desired, available: desired }];
      for (let step = 0; step < 100 && (newAvail < desired || old[0].spec > 0); step++) {
        newSpec = rollingNewReplicas(desired, surge, newSpec + old[0].spec, newSpec);
        expect(newSpec + old[0].spec).toBeLessThanOrEqual(desired + surge);
        const next = rollingOldReplicas(desired, unavail, newSpec, newAvail, old);
        old = [{ spec: next[0], available: Math.min(old[0].available, next[0]) }];
        expect(old[0].available + newAvail).toBeGreaterThanOrEqual(Math.min(desired - unavail, desired));
        newAvail = Math.min(newSpec, newAvail + 1); // one new pod becomes available per step
      }
      expect(newSpec).toBe(desired);
      expect(old[0].spec).toBe(0);
    }
  });
});
