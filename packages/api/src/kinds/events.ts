// Events (core/v1): an involvedObject with kind and name, in the event's namespace.
import { field, type FieldError } from "../errors.js";
import type { Event } from "../types.js";
import { isObject } from "../validation/helpers.js";
import { validateObjectMeta } from "../validation/meta.js";
import * as configSchema from "../schema/config.js";
import { defaultEvent } from "../defaults.js";
import { gv, type Info } from "./common.js";

/** Validates an event: metadata, and an involvedObject with kind and name in the event's namespace. */
export function validateEvent(ev: Event): FieldError[] {
  const errs = validateObjectMeta(ev.metadata, { namespaced: true });
  const io = ev.involvedObject;
  if (!isObject(io)) {
    errs.push(field.required("involvedObject"));
  } else {
    if (!io.kind) errs.push(field.required("involvedObject.kind"));
    if (!io.name) errs.push(field.required("involvedObject.name"));
    const evNs = isObject(ev.metadata) ? (ev.metadata.namespace ?? "") : "";
    // Events about cluster-scoped objects (nodes) live in "default", as in Kubernetes.
    const ok = io.namespace ? io.namespace === evNs : evNs === "" || evNs === "default";
    if (!ok) errs.push(field.invalid("involvedObject.namespace", io.namespace ?? "", "does not match event.namespace"));
  }
  if (ev.type !== undefined && ev.type !== "Normal" && ev.type !== "Warning") {
    errs.push(field.notSupported("type", ev.type, ["Normal", "Warning"]));
  }
  return errs;
}

export const eventResources: Info[] = [
  {
    ...gv("", "v1"),
    resource: "events",
    singular: "event",
    kind: "Event",
    listKind: "EventList",
    schema: configSchema.Event,
    namespaced: true,
    shortNames: ["ev"],
    hasStatus: false,
    gracefulDelete: false,
    validate: (o) => validateEvent(o as Event),
    applyDefaults: (o) => defaultEvent(o as Event),
  },
];
