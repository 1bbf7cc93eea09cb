// core/v1 ConfigMap, Secret, Namespace and Event: kinds whose data sits beside metadata.
import { bool, bytes, f, free, int32, listOf, mapOf, opaque, pkg, ptr, str, strMap, time } from "./dsl.js";
import { kind } from "./meta.js";

const core = pkg.core;

export const ConfigMap = kind(core, "ConfigMap", {
  data: f(strMap, 2, "Data contains the configuration data."),
  binaryData: f(mapOf(bytes), 3, "BinaryData contains the binary data."),
  immutable: f(bool, 4, "Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated.", ptr),
});

export const Secret = kind(core, "Secret", {
  data: f(mapOf(bytes), 2, "Data contains the secret data (base64)."),
  stringData: f(strMap, 4, "stringData allows specifying non-binary secret data in string form."),
  type: f(str, 3, "Used to facilitate programmatic handling of secret data."),
  immutable: f(bool, 5, "Immutable, if set to true, ensures that data stored in the Secret cannot be updated.", ptr),
});

export const Namespace = kind(core, "Namespace", {
  spec: f(opaque(core, "NamespaceSpec", { finalizers: f(listOf(str), 1) }), 2),
  status: f(free, undefined),
});

export const Event = kind(core, "Event", {
  involvedObject: f(free, undefined, "The object that this event is about."),
  reason: f(str, undefined, "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  message: f(str, undefined, "A human-readable description of the status of this operation."),
  type: f(str, undefined, "Type of this event (Normal, Warning)."),
  source: f(free, undefined, "The component reporting this event."),
  firstTimestamp: f(time, undefined, "The time at which the event was first recorded."),
  lastTimestamp: f(time, undefined, "The time at which the most recent occurrence of this event was recorded."),
  eventTime: f(time, undefined, "Time when this Event was first observed."),
  count: f(int32, undefined, "The number of times this event has occurred."),
  reportingComponent: f(str, undefined, "Name of the controller that emitted this Event."),
  reportingInstance: f(str, undefined, "ID of the controller instance."),
  action: f(str, undefined, "What action was taken/failed regarding to the Regarding object."),
  related: f(free, undefined, "Optional secondary object for more complex actions."),
  series: f(free, undefined, "Data about the Event series this event represents."),
});
