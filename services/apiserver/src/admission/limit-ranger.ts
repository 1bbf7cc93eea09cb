// LimitRanger admission: a new pod's containers get the namespace's LimitRange defaults
// (default → limits, defaultRequest → requests; a request left unset takes its limit), then
// every container and the pod as a whole must stay within min, max and maxLimitRequestRatio.
import { ForbiddenError, parseQuantity, type Container, type LimitRange, type LimitRangeItem, type Pod, type ResourceList } from "@skiff/api";
import type { MutatingPlugin } from "./chain.js";

/** The LimitRanges of a namespace. */
export type LimitRangeLister = (namespace: string) => Promise<LimitRange[]>;

const q = (v: string | undefined) => (v === undefined ? undefined : parseQuantity(v));

/** Fills a container's unset requests and limits from one LimitRange item of type Container. */
export function applyContainerDefaults(c: Container, item: LimitRangeItem): void {
  const res = (c.resources ??= {});
  // A container's own limit without a request requests its limit (Kubernetes' API defaulting).
  requestLimits(res);
  for (const [k, v] of Object.entries(item.default ?? {})) (res.limits ??= {})[k] ??= v;
  for (const [k, v] of Object.entries(item.defaultRequest ?? {})) (res.requests ??= {})[k] ??= v;
  // A LimitRange's defaultRequest defaults to its default.
  requestLimits(res);
}

function requestLimits(res: { requests?: ResourceList; limits?: ResourceList }): void {
  for (const [k, v] of Object.entries(res.limits ?? {})) (res.requests ??= {})[k] ??= v;
}

/** What a container or pod asks for beyond one item's bounds, in Kubernetes' words. */
export function violations(kind: "Container" | "Pod", requests: ResourceList, limits: ResourceList, item: LimitRangeItem): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(item.min ?? {})) {
    const r = q(requests[k]);
    if (r === undefined) out.push(`minimum ${k} usage per ${kind} is ${v}.  No request is specified`);
    else if (r < parseQuantity(v)) out.push(`minimum ${k} usage per ${kind} is ${v}, but request is ${requests[k]}`);
  }
  for (const [k, v] of Object.entries(item.max ?? {})) {
    const l = q(limits[k]);
    if (l === undefined) out.push(`maximum ${k} usage per ${kind} is ${v}.  No limit is specified`);
    else if (l > parseQuantity(v)) out.push(`maximum ${k} usage per ${kind} is ${v}, but limit is ${limits[k]}`);
  }
  for (const [k, v] of Object.entries(item.maxLimitRequestRatio ?? {})) {
    const l = q(limits[k]);
    const r = q(requests[k]);
    if (l === undefined) out.push(`${k} max limit to request ratio per ${kind} is ${v}, but no limit is specified`);
    else if (r === undefined || r === 0) out.push(`${k} max limit to request ratio per ${kind} is ${v}, but no request is specified or request is 0`);
    else if (l / r > parseQuantity(v)) out.push(`${k} max limit to request ratio per ${kind} is ${v}, but provided ratio is ${(l / r).toFixed(6)}`);
  }
  return out;
}

/** Sums a resource list over containers (as strings Kubernetes would accept). */
function sum(lists: (ResourceList | undefined)[]): ResourceList {
  const t: Record<string, number> = {};
  for (const l of lists) for (const [k, v] of Object.entries(l ?? {})) t[k] = (t[k] ?? 0) + parseQuantity(v);
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, String(v)]));
}

export function limitRanger(list: LimitRangeLister): MutatingPlugin {
  return {
    name: "LimitRanger",
    handles: (a) => a.operation === "CREATE" && a.subresource === "" && a.resource.group === "" && a.resource.resource === "pods",
    async admit(a) {
      const ranges = await list(a.namespace);
      if (ranges.length === 0) return;
      const pod = a.object as Pod;
      const items = ranges.flatMap((r) => r.spec?.limits ?? []);
      const containers = [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])];
      for (const item of items.filter((i) => i.type === "Container")) for (const c of containers) applyContainerDefaults(c, item);
      const problems: string[] = [];
      for (const item of items) {
        if (item.type === "Container") {
          for (const c of containers) problems.push(...violations("Container", c.resources?.requests ?? {}, c.resources?.limits ?? {}, item));
        } else if (item.type === "Pod") {
          const main = pod.spec.containers ?? [];
          problems.push(...violations("Pod", sum(main.map((c) => c.resources?.requests)), sum(main.map((c) => c.resources?.limits)), item));
        }
      }
      if (problems.length) {
        throw new ForbiddenError(`pods "${a.name}" is forbidden: [${[...new Set(problems)].join(", ")}]`, { name: a.name, kind: "pods" });
      }
    },
  };
}
