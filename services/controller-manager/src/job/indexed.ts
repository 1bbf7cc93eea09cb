// Job completionMode: Indexed — each of `completions` indexes must succeed once. A pod of index i
// carries the index in the annotation and label batch.kubernetes.io/job-completion-index, the
// JOB_COMPLETION_INDEX environment variable and the hostname <job>-<i> (with the template's
// subdomain, a stable DNS name); status.completedIndexes lists the indexes done ("0-2,4").
import type { Job, OwnerReference, Pod } from "@skiff/api";
import { isPodActive, podFromTemplate } from "../common/pods.js";

/** Where a pod's index is written (annotation and label, as Kubernetes 1.28+). */
export const COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";

/** A pod's completion index, if it has a valid one. */
export function indexOf(p: Pod): number | undefined {
  const v = p.metadata.annotations?.[COMPLETION_INDEX];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** The indexes below `completions` with a Succeeded pod. */
export function succeededIndexes(pods: Pod[], completions: number): Set<number> {
  const out = new Set<number>();
  for (const p of pods) {
    const i = indexOf(p);
    if (i !== undefined && i < completions && p.status?.phase === "Succeeded") out.add(i);
  }
  return out;
}

/** Kubernetes' compressed list of indexes: "0-2,4,6-7". */
export function formatIndexes(set: Set<number>): string {
  const xs = [...set].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    parts.push(i === j ? String(xs[i]) : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** The next `n` indexes to start: neither succeeded nor running, lowest first. */
export function indexesToStart(pods: Pod[], completions: number, n: number): number[] {
  const done = succeededIndexes(pods, completions);
  const running = new Set(
    pods
      .filter(isPodActive)
      .map(indexOf)
      .filter((i): i is number => i !== undefined),
  );
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < n; i++) if (!done.has(i) && !running.has(i)) out.push(i);
  return out;
}

/** The pod of index `i`. */
export function indexedPod(job: Job, ref: OwnerReference, i: number, labels: Record<string, string>): Pod {
  const spec = job.spec.template.spec;
  const env = (c: { env?: unknown }) => [
    ...((c.env as { name: string }[] | undefined) ?? []).filter((e) => e.name !== "JOB_COMPLETION_INDEX"),
    { name: "JOB_COMPLETION_INDEX", value: String(i) },
  ];
  const pod = podFromTemplate(job.spec.template, job.metadata.namespace!, ref, {
    generateName: `${job.metadata.name}-${i}-`,
    labels: { ...labels, [COMPLETION_INDEX]: String(i) },
    spec: {
      hostname: `${job.metadata.name}-${i}`.slice(0, 63),
      containers: spec.containers.map((c) => ({ ...c, env: env(c) })),
      ...(spec.initContainers ? { initContainers: spec.initContainers.map((c) => ({ ...c, env: env(c) })) } : {}),
    },
  });
  pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [COMPLETION_INDEX]: String(i) };
  return pod;
}
