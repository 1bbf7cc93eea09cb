// `describe` text of one object: the kind's describer (pods, nodes, or the generic one)
// followed by the object's events.
import type { KObject, Node, Pod, ResourceInfo } from "@skiff/api";
import type { ApiClient } from "@skiff/client";
import { eventsFor, writeEvents } from "./events.js";
import { describeGeneric } from "./generic.js";
import { describeNode } from "./node.js";
import { describePod } from "./pod.js";
import { DescribeWriter } from "./writer.js";

/** Builds the describe text of an object, fetching what it needs (events, a node's pods). */
export async function describeObject(client: ApiClient, info: ResourceInfo, obj: KObject, now: Date = new Date()): Promise<string> {
  const w = new DescribeWriter();
  obj.kind ??= info.kind;
  if (info.resource === "pods") {
    describePod(w, obj as Pod, now);
  } else if (info.resource === "nodes") {
    const pods = await client.list<Pod>("pods", { fieldSelector: `spec.nodeName=${obj.metadata.name}` }).then(
      (r) => r.items,
      () => [],
    );
    describeNode(w, obj as Node, pods, now);
  } else {
    describeGeneric(w, obj);
  }
  // Events describe other objects; describing an Event itself shows no Events section.
  if (info.resource !== "events") writeEvents(w, await eventsFor(client, obj), now);
  return w.toString();
}
