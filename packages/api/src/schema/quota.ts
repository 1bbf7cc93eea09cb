// core/v1 LimitRange and ResourceQuota: protobuf knows their specs; the OpenAPI documents keep
// them free-form.
import { f, free, listOf, mapOf, opaque, pkg, quantity, str } from "./dsl.js";
import { kind } from "./meta.js";

const core = pkg.core;

const LimitRangeItem = opaque(core, "LimitRangeItem", {
  type: f(str, 1),
  max: f(mapOf(quantity), 2),
  min: f(mapOf(quantity), 3),
  default: f(mapOf(quantity), 4),
  defaultRequest: f(mapOf(quantity), 5),
  maxLimitRequestRatio: f(mapOf(quantity), 6),
});

export const LimitRange = kind(core, "LimitRange", { spec: f(opaque(core, "LimitRangeSpec", { limits: f(listOf(LimitRangeItem), 1) }), 2) });

export const ResourceQuota = kind(core, "ResourceQuota", {
  spec: f(opaque(core, "ResourceQuotaSpec", { hard: f(mapOf(quantity), 1), scopes: f(listOf(str), 2) }), 2),
  status: f(free, undefined),
});
