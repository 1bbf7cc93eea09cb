import { describe, it, expect } from "vitest";
import type { KObject } from "@skiff/api";
import { cleanManifest, deepEqual, lastAppliedAnnotation, mergeApplied, withLastApplied } from "./merge.js";

/** What the apiserver would store: defaults filled in, server metadata, a status. */
function stored(applied: KObject): KObject {
  const o = structuredClone(withLastApplied(applied)) as KObject & { spec: { containers: Record<string, unknown>[]; restartPolicy?: string } };
  o.metadata = { ...o.metadata, uid: "u1", resourceVersion: "7", creationTimestamp: "2024-05-01T00:00:00Z" };
  o.spec.restartPolicy = "Always";
  for (const c of o.spec.containers) c.imagePullPolicy = "IfNotPresent";
  o.status = { phase: "Running" };
  return o;
}

const manifest = (image: string, labels: Record<string, string> = { app: "web" }): KObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "default", labels },
  spec: { containers: [{ name: "app", image }] },
});

describe("mergeApplied", () => {
  it("changes nothing when the same manifest is applied again (defaults stay)", () => {
    const live = stored(manifest("nginx:1.25"));
    expect(deepEqual(mergeApplied(live, manifest("nginx:1.25")), live)).toBe(true);
  });

  it("changes what the manifest changed and keeps server defaults and metadata", () => {
    const live = stored(manifest("nginx:1.25"));
    const merged = mergeApplied(live, manifest("nginx:1.26")) as KObject & { spec: { containers: Record<string, unknown>[]; restartPolicy: string } };
    expect(merged.spec.containers[0]).toMatchObject({ name: "app", image: "nginx:1.26", imagePullPolicy: "IfNotPresent" });
    expect(merged.spec.restartPolicy).toBe("Always");
    expect(merged.metadata).toMatchObject({ uid: "u1", resourceVersion: "7" });
    expect(merged.status).toEqual({ phase: "Running" });
    expect(JSON.parse(merged.metadata.annotations![lastAppliedAnnotation]).spec.containers[0].image).toBe("nginx:1.26");
  });

  it("removes labels that were removed from the manifest, but not labels others added", () => {
    const live = stored(manifest("nginx", { app: "web", tier: "fe" }));
    live.metadata.labels!.added = "by-controller";
    const merged = mergeApplied(live, manifest("nginx", { app: "web" }));
    expect(merged.metadata.labels).toEqual({ app: "web", added: "by-controller" });
  });

  it("merges into an object created without apply (no annotation) without deleting anything", () => {
    const live = stored(manifest("nginx"));
    delete live.metadata.annotations;
    const merged = mergeApplied(live, manifest("nginx"));
    expect(merged.metadata.annotations?.[lastAppliedAnnotation]).toBeDefined();
    expect((merged.spec as { restartPolicy: string }).restartPolicy).toBe("Always");
  });
});

describe("cleanManifest", () => {
  it("drops status and server-owned metadata", () => {
    const o = cleanManifest({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "a", resourceVersion: "3", uid: "x", labels: { a: "b" } },
      status: { phase: "Running" },
    });
    expect(o).toEqual({ apiVersion: "v1", kind: "Pod", metadata: { name: "a", labels: { a: "b" } } });
  });
});
