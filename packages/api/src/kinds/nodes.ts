// Nodes (core/v1): name, taints, pod CIDRs and resource quantities.
import { field, type FieldError } from "../errors.js";
import type { Node } from "../types.js";
import { parseQuantity } from "../quantity.js";
import { parseIPv4 } from "../ipv4.js";
import { labelValueErrors, qualifiedNameErrors } from "../validation/names.js";
import { invalidEach, isObject, taintEffects } from "../validation/helpers.js";
import { validateObjectMeta } from "../validation/meta.js";
import { defaultNode } from "../defaults.js";
import { gv, type Info } from "./common.js";
import * as nodeSchema from "../schema/node.js";

function validateCidr(v: unknown, path: string): FieldError[] {
  if (v === undefined || v === "") return [];
  const m = typeof v === "string" ? /^([^/]+)\/(\d{1,3})$/.exec(v) : null;
  const ipv4 = m && parseIPv4(m[1]) !== undefined && Number(m[2]) <= 32;
  const ipv6 = m?.[1].includes(":") && /^[0-9a-fA-F:.]+$/.test(m[1]) && Number(m[2]) <= 128;
  return ipv4 || ipv6 ? [] : [field.invalid(path, v, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")];
}

/** Validates a node: name (DNS subdomain), taints, pod CIDRs and resource quantities. */
export function validateNode(node: Node): FieldError[] {
  const errs = validateObjectMeta(node.metadata, { namespaced: false });
  const spec = node.spec ?? {};
  if (!isObject(spec)) return [...errs, field.invalid("spec", spec, "must be an object")];
  errs.push(...validateCidr(spec.podCIDR, "spec.podCIDR"));
  if (Array.isArray(spec.podCIDRs))
    spec.podCIDRs.forEach((c, i) => {
      errs.push(...validateCidr(c, `spec.podCIDRs[${i}]`));
    });
  if (spec.taints !== undefined) {
    if (!Array.isArray(spec.taints)) {
      errs.push(field.invalid("spec.taints", spec.taints, "must be a list of taints"));
    } else {
      const seen = new Set<string>();
      spec.taints.forEach((t, i) => {
        const p = `spec.taints[${i}]`;
        if (!isObject(t)) {
          errs.push(field.invalid(p, t, "must be an object"));
          return;
        }
        errs.push(...invalidEach(`${p}.key`, t.key ?? "", qualifiedNameErrors(typeof t.key === "string" ? t.key : "")));
        if (t.value !== undefined) errs.push(...invalidEach(`${p}.value`, t.value, labelValueErrors(String(t.value))));
        if (!t.effect) errs.push(field.required(`${p}.effect`));
        else if (!taintEffects.includes(t.effect as string)) errs.push(field.notSupported(`${p}.effect`, t.effect, taintEffects));
        const id = `${t.key}\u0000${t.effect}`;
        if (seen.has(id)) {
          const dup = field.duplicate(p, { key: t.key, effect: t.effect });
          errs.push({ ...dup, message: `${dup.message}: taints must be unique by key and effect pair` });
        }
        seen.add(id);
      });
    }
  }
  const status = node.status;
  if (isObject(status)) {
    for (const key of ["capacity", "allocatable"] as const) {
      const list = status[key];
      if (list === undefined) continue;
      // Node resources are not container resources: any qualified name is fine.
      if (!isObject(list)) {
        errs.push(field.invalid(`status.${key}`, list, "must be a map of resource names to quantities"));
        continue;
      }
      for (const [name, value] of Object.entries(list)) {
        const p = `status.${key}[${name}]`;
        errs.push(...invalidEach(p, name, qualifiedNameErrors(name)));
        let n = Number.NaN;
        try {
          n = parseQuantity(value as string);
        } catch (err) {
          errs.push(field.invalid(p, value, (err as Error).message.replace(/^invalid quantity "[^"]*": /, "")));
          continue;
        }
        if (n < 0) errs.push(field.invalid(p, value, "must be greater than or equal to 0"));
      }
    }
  }
  return errs;
}

export const nodeResources: Info[] = [
  {
    ...gv("", "v1"),
    resource: "nodes",
    singular: "node",
    kind: "Node",
    listKind: "NodeList",
    mergeKeys: { taints: "key", addresses: "type", conditions: "type" },
    schema: nodeSchema.Node,
    namespaced: false,
    shortNames: ["no"],
    hasStatus: true,
    gracefulDelete: false,
    // A Node owns its mirror pods: they go with it.
    garbageCollected: true,
    validate: (o) => validateNode(o as Node),
    applyDefaults: (o) => defaultNode(o as Node),
  },
];
