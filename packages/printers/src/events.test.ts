import { describe, it, expect } from "vitest";
import type { Event } from "@skiff/api";
import { eventTable } from "./events.js";
import { renderTable } from "./render.js";
import { tableFor } from "./index.js";

const now = new Date("2024-05-01T12:00:00Z");

function ev(name: string, reason: string, last: string, extra: Partial<Event> = {}): Event {
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name, namespace: "default" },
    involvedObject: { kind: "Pod", name: "web", namespace: "default" },
    reason,
    message: `${reason} happened `,
    type: "Normal",
    firstTimestamp: last,
    lastTimestamp: last,
    source: { component: "kubelet", host: "node-1" },
    ...extra,
  };
}

describe("events table", () => {
  it("sorts by last timestamp and names the object kind/name", () => {
    const t = eventTable(
      [ev("b", "Started", "2024-05-01T11:59:50Z"), ev("a", "Scheduled", "2024-05-01T11:59:00Z", { source: { component: "default-scheduler" } })],
      { now },
    );
    expect(renderTable(t).text).toBe(
      "LAST SEEN   TYPE     REASON      OBJECT    MESSAGE\n" +
        "60s         Normal   Scheduled   pod/web   Scheduled happened\n" +
        "10s         Normal   Started     pod/web   Started happened\n",
    );
    expect(t.rows[1].cells.slice(4, 10)).toEqual(["", "kubelet, node-1", "Started happened", "10s", 1, "b"]);
  });
});

describe("tableFor", () => {
  it("gives unknown kinds NAME AGE", () => {
    const t = tableFor("leases", [{ metadata: { name: "cfg", creationTimestamp: "2024-05-01T11:00:00Z" } }], { now });
    expect(renderTable(t).text).toBe("NAME   AGE\ncfg    60m\n");
  });

  it("prints namespaces with their phase", () => {
    const t = tableFor("namespaces", [{ metadata: { name: "default", creationTimestamp: "2024-05-01T11:59:55Z" }, status: { phase: "Active" } }], { now });
    expect(renderTable(t).text).toBe("NAME      STATUS   AGE\ndefault   Active   5s\n");
  });
});
