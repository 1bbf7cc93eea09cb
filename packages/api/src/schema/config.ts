// core/v1 ConfigMap, Secret, Namespace and Event: kinds whose data sits beside metadata.
import { bool, bytes, f, int32, listOf, mapOf, mergeBy, pkg, ptr, req, str, strMap, struct, time } from "./dsl.js";
import { kind } from "./meta.js";
import { ObjectReference } from "./serviceaccounts.js";

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

const NamespaceStatus = struct(core, "NamespaceStatus", "NamespaceStatus is information about the current status of a Namespace.", {
  phase: f(str, 1, "Phase is the current lifecycle phase of the namespace: Active or Terminating."),
  conditions: f(
    listOf(
      struct(core, "NamespaceCondition", "NamespaceCondition contains details about state of namespace.", {
        type: f(str, 1, "Type of namespace controller condition (such as NamespaceDeletionContentFailure).", req),
        status: f(str, 2, "Status of the condition, one of True, False, Unknown.", req),
        lastTransitionTime: f(time, 4, "Last time the condition transitioned from one status to another."),
        reason: f(str, 5, "Unique, one-word, CamelCase reason for the condition's last transition."),
        message: f(str, 6, "Human-readable message indicating details about last transition."),
      }),
    ),
    2,
    "Represents the latest available observations of a namespace's current state.",
    mergeBy("type"),
  ),
});

export const Namespace = kind(core, "Namespace", {
  spec: f(
    struct(core, "NamespaceSpec", "NamespaceSpec describes the attributes on a Namespace.", {
      finalizers: f(listOf(str), 1, "Finalizers is an opaque list of values that must be empty to permanently remove object from storage."),
    }),
    2,
  ),
  status: f(NamespaceStatus, undefined),
});

export const Event = kind(core, "Event", {
  involvedObject: f(ObjectReference, undefined, "The object that this event is about.", req),
  reason: f(str, undefined, "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  message: f(str, undefined, "A human-readable description of the status of this operation."),
  type: f(str, undefined, "Type of this event (Normal, Warning)."),
  source: f(
    struct(core, "EventSource", "EventSource contains information for an event.", {
      component: f(str, 1, "Component from which the event is generated."),
      host: f(str, 2, "Node name on which the event is generated."),
    }),
    undefined,
    "The component reporting this event. Should be a short machine understandable string.",
  ),
  firstTimestamp: f(time, undefined, "The time at which the event was first recorded."),
  lastTimestamp: f(time, undefined, "The time at which the most recent occurrence of this event was recorded."),
  eventTime: f(time, undefined, "Time when this Event was first observed."),
  count: f(int32, undefined, "The number of times this event has occurred."),
  reportingComponent: f(str, undefined, "Name of the controller that emitted this Event."),
  reportingInstance: f(str, undefined, "ID of the controller instance."),
  action: f(str, undefined, "What action was taken/failed regarding to the Regarding object."),
  related: f(ObjectReference, undefined, "Optional secondary object for more complex actions."),
  series: f(
    struct(core, "EventSeries", "EventSeries contain information on series of events, i.e. thing that was/is happening continuously for some time.", {
      count: f(int32, 1, "Number of occurrences in this series up to the last heartbeat time"),
      lastObservedTime: f(time, 2, "Time of the last occurrence observed (a MicroTime: RFC 3339 with microseconds)."),
    }),
    undefined,
    "Data about the Event series this event represents or nil if it's a singleton Event.",
  ),
});
