// Stabilisation and rate limits against the examples of Kubernetes' HPA documentation
// (configurable scaling behavior) and its controller's rules without behavior.
import { describe, expect, it } from "vitest";
import { normalize, recordScale, scaleDownLimit, scaleUpLimit, type HpaMemory, type NormalizeArgs } from "./behavior.js";

const T0 = 1_000_000_000;
const fresh = (): HpaMemory => ({ recommendations: [], scaleUpEvents: [], scaleDownEvents: [] });
const base: Omit<NormalizeArgs, "current" | "desired" | "now"> = { min: 1, max: 100, downscaleWindowMs: 300_000 };

describe("without behavior (the controller's defaults)", () => {
  it("scale-down waits for the 5-minute window: the highest recommendation of the window wins", () => {
    const mem = fresh();
    expect(normalize(mem, { ...base, current: 5, desired: 5, now: T0 }).replicas).toBe(5);
    const n = normalize(mem, { ...base, current: 5, desired: 2, now: T0 + 60_000 });
    expect(n.replicas).toBe(5);
    expect(n.conditions[0]).toMatchObject({ type: "AbleToScale", reason: "ScaleDownStabilized" });
    expect(normalize(mem, { ...base, current: 5, desired: 2, now: T0 + 299_000 }).replicas).toBe(5);
    // Once the recommendation of 5 is older than the window, 2 holds.
    const later = normalize(mem, { ...base, current: 5, desired: 2, now: T0 + 301_000 });
    expect(later.replicas).toBe(2);
    expect(later.conditions[0]).toMatchObject({ reason: "ReadyForNewScale" });
  });

  it("scale-up is immediate but at most max(2 × current, 4) at once", () => {
    expect(normalize(fresh(), { ...base, current: 1, desired: 10, now: T0 })).toMatchObject({
      replicas: 4,
      conditions: [{}, { type: "ScalingLimited", status: "True", reason: "ScaleUpLimit" }],
    });
    expect(normalize(fresh(), { ...base, current: 5, desired: 30, now: T0 }).replicas).toBe(10);
    expect(normalize(fresh(), { ...base, current: 5, desired: 8, now: T0 })).toMatchObject({
      replicas: 8,
      conditions: [{}, { status: "False", reason: "DesiredWithinRange" }],
    });
  });

  it("clamps to min and max replicas with TooFewReplicas / TooManyReplicas", () => {
    expect(normalize(fresh(), { ...base, min: 3, current: 3, desired: 1, downscaleWindowMs: 0, now: T0 })).toMatchObject({
      replicas: 3,
      conditions: [{}, { status: "True", reason: "TooFewReplicas" }],
    });
    expect(normalize(fresh(), { ...base, max: 6, current: 5, desired: 9, now: T0 })).toMatchObject({
      replicas: 6,
      conditions: [{}, { status: "True", reason: "TooManyReplicas" }],
    });
  });
});

describe("with behavior", () => {
  const rules = (o: object) => ({ ...base, behavior: o });

  it("the documented scale-down example: 4 pods or 10% per minute, whichever removes more (80 → 72 → 64)", () => {
    const mem = fresh();
    const b = rules({
      scaleDown: {
        stabilizationWindowSeconds: 0,
        policies: [
          { type: "Pods", value: 4, periodSeconds: 60 },
          { type: "Percent", value: 10, periodSeconds: 60 },
        ],
      },
    });
    const first = normalize(mem, { ...b, current: 80, desired: 10, now: T0 });
    expect(first).toMatchObject({ replicas: 72, conditions: [{}, { status: "True", reason: "ScaleDownLimit" }] });
    recordScale(mem, { ...b, now: T0 }, 80, 72);
    // Within the same minute nothing more may go.
    expect(normalize(mem, { ...b, current: 72, desired: 10, now: T0 + 30_000 }).replicas).toBe(72);
    // A minute later: 10% of 72 is 7.2, rounded up to 8 pods removed.
    const second = normalize(mem, { ...b, current: 72, desired: 10, now: T0 + 61_000 });
    expect(second.replicas).toBe(64);
  });

  it("selectPolicy Min picks the policy that changes least; Disabled forbids the direction", () => {
    const pols = [
      { type: "Pods" as const, value: 4, periodSeconds: 60 },
      { type: "Percent" as const, value: 10, periodSeconds: 60 },
    ];
    expect(scaleDownLimit(80, [], [], { selectPolicy: "Min", policies: pols }, T0)).toBe(76);
    expect(scaleDownLimit(80, [], [], { selectPolicy: "Max", policies: pols }, T0)).toBe(72);
    expect(scaleDownLimit(80, [], [], { selectPolicy: "Disabled", policies: pols }, T0)).toBe(80);
    const b = rules({ scaleDown: { selectPolicy: "Disabled" } });
    expect(normalize(fresh(), { ...b, current: 8, desired: 2, downscaleWindowMs: 0, now: T0 }).replicas).toBe(8);
  });

  it("the default scale-up: 4 pods or 100% per 15 s, whichever adds more", () => {
    expect(
      scaleUpLimit(
        1,
        [],
        [],
        {
          selectPolicy: "Max",
          policies: [
            { type: "Pods", value: 4, periodSeconds: 15 },
            { type: "Percent", value: 100, periodSeconds: 15 },
          ],
        },
        T0,
      ),
    ).toBe(5);
    const b = rules({});
    expect(normalize(fresh(), { ...b, current: 10, desired: 50, now: T0 }).replicas).toBe(20);
    // Replicas added within the period count against it.
    const mem = fresh();
    recordScale(mem, { ...b, now: T0 }, 10, 20);
    expect(normalize(mem, { ...b, current: 20, desired: 50, now: T0 + 5_000 }).replicas).toBe(20);
    expect(normalize(mem, { ...b, current: 20, desired: 50, now: T0 + 16_000 }).replicas).toBe(40);
  });

  it("the documented scale-up stabilisation: the lowest recommendation of the up window wins", () => {
    const mem = fresh();
    const b = rules({ scaleUp: { stabilizationWindowSeconds: 60 } });
    normalize(mem, { ...b, current: 2, desired: 2, now: T0 });
    const n = normalize(mem, { ...b, current: 2, desired: 6, now: T0 + 10_000 });
    expect(n).toMatchObject({ replicas: 2, conditions: [{ reason: "ScaleUpStabilized" }, {}] });
    expect(normalize(mem, { ...b, current: 2, desired: 6, now: T0 + 61_000 }).replicas).toBe(6);
  });

  it("an unset scale-down window falls back to the controller's flag; a set one wins", () => {
    const mem = fresh();
    const b = rules({ scaleDown: { stabilizationWindowSeconds: 10 } });
    normalize(mem, { ...b, current: 4, desired: 4, now: T0 });
    expect(normalize(mem, { ...b, current: 4, desired: 1, now: T0 + 5_000 }).replicas).toBe(4);
    expect(normalize(mem, { ...b, current: 4, desired: 1, now: T0 + 11_000 }).replicas).toBe(1);
    const flagged = fresh();
    normalize(flagged, { ...rules({}), current: 4, desired: 4, downscaleWindowMs: 20_000, now: T0 });
    expect(normalize(flagged, { ...rules({}), current: 4, desired: 1, downscaleWindowMs: 20_000, now: T0 + 11_000 }).replicas).toBe(4);
  });
});
