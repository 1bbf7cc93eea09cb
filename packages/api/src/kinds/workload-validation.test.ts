import { describe, expect, it } from "vitest";
import { ResourceRegistry } from "../resources.js";
import type { KObject } from "../types.js";

const reg = new ResourceRegistry();
const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "img" }] } };

/** Defaults then validates, as the apiserver does on create; returns "field: message" lines. */
function create(resource: string, spec: Record<string, unknown>, kind = reg.find(resource)!.kind): string[] {
  const info = reg.find(resource)!;
  const o = { apiVersion: "apps/v1", kind, metadata: { name: "web", namespace: "default" }, spec: structuredClone(spec) } as KObject;
  info.applyDefaults?.(o);
  return info.validate(o).map((e) => `${e.field}: ${e.message}`);
}

function update(resource: string, old: Record<string, unknown>, next: Record<string, unknown>): string[] {
  const info = reg.find(resource)!;
  const mk = (spec: Record<string, unknown>) =>
    ({ apiVersion: "apps/v1", kind: info.kind, metadata: { name: "web", namespace: "default" }, spec: structuredClone(spec) }) as KObject;
  return (info.validateUpdate?.(mk(next), mk(old)) ?? []).map((e) => `${e.field}: ${e.message}`);
}

const base = { replicas: 1, selector: { matchLabels: { app: "web" } }, template };

describe("Deployment validation", () => {
  it("accepts the defaults and ordinary values", () => {
    expect(create("deployments", base)).toEqual([]);
    expect(create("deployments", { ...base, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: "10%" } } })).toEqual([]);
    expect(create("deployments", { ...base, strategy: { type: "Recreate" } })).toEqual([]);
  });

  it("rejects maxSurge and maxUnavailable both zero", () => {
    expect(create("deployments", { ...base, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } })).toEqual([
      "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0",
    ]);
    expect(create("deployments", { ...base, strategy: { rollingUpdate: { maxSurge: "0%", maxUnavailable: "0%" } } })).toHaveLength(1);
  });

  it("rejects bad percentages and negative numbers", () => {
    const errs = create("deployments", { ...base, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "abc", maxUnavailable: "150%" } } });
    expect(errs).toContain('spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%');
    expect(
      errs.some((e) =>
        e.startsWith("spec.strategy.rollingUpdate.maxSurge: Invalid value: \"abc\": a valid percent string must be a numeric string followed by an ending '%'"),
      ),
    ).toBe(true);
    expect(create("deployments", { ...base, strategy: { rollingUpdate: { maxSurge: -1 } } })).toEqual([
      "spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0",
    ]);
  });

  it("checks strategy type, Recreate with rollingUpdate, history limit and progress deadline", () => {
    expect(create("deployments", { ...base, strategy: { type: "Blue" } })[0]).toMatch(/^spec.strategy.type: Unsupported value: "Blue"/);
    expect(create("deployments", { ...base, strategy: { type: "Recreate", rollingUpdate: { maxSurge: 1 } } })).toEqual([
      "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
    ]);
    expect(create("deployments", { ...base, revisionHistoryLimit: -1 })).toEqual([
      "spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0",
    ]);
    expect(create("deployments", { ...base, minReadySeconds: 30, progressDeadlineSeconds: 30 })).toEqual([
      "spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds",
    ]);
    expect(create("deployments", { ...base, minReadySeconds: 30, progressDeadlineSeconds: 31 })).toEqual([]);
  });
});

describe("selector immutability", () => {
  for (const r of ["deployments", "replicasets", "daemonsets", "statefulsets"]) {
    it(`${r}: spec.selector cannot change, other fields can`, () => {
      const changed = { ...base, selector: { matchLabels: { app: "other" } } };
      expect(update(r, base, changed)).toEqual(['spec.selector: Invalid value: {"matchLabels":{"app":"other"}}: field is immutable']);
      // Same selector with keys in another order is no change.
      const a = { ...base, selector: { matchLabels: { app: "web", tier: "x" } } };
      const b = { ...base, replicas: 5, selector: { matchLabels: { tier: "x", app: "web" } } };
      expect(update(r, a, b)).toEqual([]);
    });
  }
});

describe("StatefulSet validation", () => {
  const sts = { ...base, serviceName: "web" };
  it("accepts the defaults", () => {
    expect(create("statefulsets", sts)).toEqual([]);
    expect(create("statefulsets", { ...sts, podManagementPolicy: "Parallel", updateStrategy: { type: "OnDelete" } })).toEqual([]);
  });
  it("rejects unknown policies and strategies, negative partitions", () => {
    expect(create("statefulsets", { ...sts, podManagementPolicy: "Random" })).toEqual([
      'spec.podManagementPolicy: Unsupported value: "Random": supported values: "OrderedReady", "Parallel"',
    ]);
    expect(create("statefulsets", { ...sts, updateStrategy: { type: "Sometimes" } })).toEqual([
      'spec.updateStrategy.type: Unsupported value: "Sometimes": supported values: "OnDelete", "RollingUpdate"',
    ]);
    expect(create("statefulsets", { ...sts, updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: -1 } } })).toEqual([
      "spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0",
    ]);
    expect(create("statefulsets", { ...sts, updateStrategy: { type: "OnDelete", rollingUpdate: { partition: 1 } } })[0]).toMatch(
      /^spec.updateStrategy.rollingUpdate: Invalid value: .*only allowed for updateStrategy 'RollingUpdate'/,
    );
    expect(create("statefulsets", { ...sts, volumeClaimTemplates: [{ spec: {} }] })).toEqual([
      "spec.volumeClaimTemplates[0].metadata.name: Required value",
      "spec.volumeClaimTemplates[0].spec.accessModes: Required value",
    ]);
  });
  it("forbids updates to fields other than replicas, template, updateStrategy…", () => {
    expect(update("statefulsets", sts, { ...sts, replicas: 4, updateStrategy: { type: "OnDelete" } })).toEqual([]);
    expect(update("statefulsets", sts, { ...sts, serviceName: "other" })[0]).toMatch(/^spec: Forbidden: updates to statefulset spec for fields other than/);
  });
});

describe("DaemonSet validation", () => {
  it("rejects maxUnavailable 0 with the default maxSurge 0", () => {
    expect(
      create("daemonsets", { selector: base.selector, template, updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0 } } }),
    ).toEqual(["spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"]);
    expect(
      create("daemonsets", { selector: base.selector, template, updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } }),
    ).toEqual([]);
  });
});

describe("CronJob schedule", () => {
  const cj = (schedule: unknown) => {
    const info = reg.find("cronjobs")!;
    const o = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "c", namespace: "default" },
      spec: { schedule, jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "i" }] } } } } },
    } as KObject;
    info.applyDefaults?.(o);
    return info.validate(o).map((e) => `${e.field}: ${e.message}`);
  };
  it("accepts what the controller can run", () => {
    for (const s of ["*/5 * * * *", "0 0 * * mon-fri", "@hourly", "0 12 1 jan,jul *"]) expect(cj(s)).toEqual([]);
  });
  it("rejects what the controller's parser rejects, with a field error", () => {
    expect(cj("61 * * * *")).toEqual(['spec.schedule: Invalid value: "61 * * * *": unparseable cron schedule: minute: "61" is outside 0-59']);
    expect(cj("* * *")[0]).toMatch(/^spec.schedule: Invalid value: "\* \* \*": unparseable cron schedule: expected exactly 5 fields/);
    expect(cj("@sometimes")[0]).toMatch(/unrecognized descriptor/);
    expect(cj(undefined)).toEqual(["spec.schedule: Required value"]);
  });
});
