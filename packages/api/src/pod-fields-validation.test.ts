import { describe, expect, it } from "vitest";
import type { Pod } from "./types.js";
import { validatePod } from "./kinds/pods.js";

const pod = (spec: Partial<Pod["spec"]>, container: Record<string, unknown> = {}): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "default" },
  spec: { containers: [{ name: "c", image: "busybox", ...container }], ...spec },
});
const messages = (p: Pod) => validatePod(p).map((e) => `${e.field}: ${e.message}`);

describe("pod field validation", () => {
  it("a probe without a handler, or with two, is refused", () => {
    expect(messages(pod({}, { livenessProbe: { periodSeconds: 5 } }))).toEqual([
      "spec.containers[0].livenessProbe: Required value: must specify a handler type",
    ]);
    expect(messages(pod({}, { readinessProbe: { exec: { command: ["true"] }, tcpSocket: { port: 80 } } }))).toEqual([
      "spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type",
    ]);
    expect(messages(pod({}, { startupProbe: { grpc: { port: 0 } } }))).toEqual([
      "spec.containers[0].startupProbe.grpc.port: Invalid value: 0: must be between 1 and 65535, inclusive",
    ]);
    expect(messages(pod({}, { livenessProbe: { httpGet: { port: 80 }, successThreshold: 2 } }))).toEqual([
      "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
    ]);
    expect(messages(pod({}, { lifecycle: { preStop: {} } }))).toEqual(["spec.containers[0].lifecycle.preStop: Required value: must specify a handler type"]);
    expect(messages(pod({}, { livenessProbe: { grpc: { port: 9000 } }, readinessProbe: { httpGet: { port: 80 } } }))).toEqual([]);
  });

  it("affinity: operators, values, weights and topology keys", () => {
    expect(
      messages(
        pod({
          affinity: {
            nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In" }] }] } },
          },
        }),
      ),
    ).toEqual([
      "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    ]);
    expect(
      messages(
        pod({
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 101, podAffinityTerm: { topologyKey: "", labelSelector: { matchLabels: { a: "b" } } } },
              ],
            },
          },
        }),
      ),
    ).toEqual([
      "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 101: must be in the range 1-100",
      "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey: Required value: can not be empty",
    ]);
    expect(
      messages(
        pod({
          affinity: {
            podAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { topologyKey: "kubernetes.io/hostname", labelSelector: { matchExpressions: [{ key: "a", operator: "Near" as "In" }] } },
              ],
            },
          },
        }),
      ),
    ).toHaveLength(1);
  });

  it("topology spread constraints", () => {
    expect(messages(pod({ topologySpreadConstraints: [{ maxSkew: 0, topologyKey: "zone", whenUnsatisfiable: "Sometimes" as "DoNotSchedule" }] }))).toEqual([
      "spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero",
      'spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Sometimes": supported values: "DoNotSchedule", "ScheduleAnyway"',
    ]);
    expect(messages(pod({ topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "ScheduleAnyway", minDomains: 2 }] }))).toEqual([
      "spec.topologySpreadConstraints[0].minDomains: Invalid value: 2: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway",
    ]);
  });

  it("hostAliases: an IP address and DNS subdomains", () => {
    expect(
      messages(
        pod({
          hostAliases: [
            { ip: "10.1.2.300", hostnames: ["db.local"] },
            { ip: "10.1.2.3", hostnames: ["Bad_Name"] },
          ],
        }),
      ),
    ).toEqual([
      'spec.hostAliases[0].ip: Invalid value: "10.1.2.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      "spec.hostAliases[1].hostnames[0]: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
    for (const ip of ["127.0.0.1", "2001:db8::ffff", "::1", "::ffff:10.0.0.1", "fe80:0:0:0:0:0:0:1"])
      expect(messages(pod({ hostAliases: [{ ip, hostnames: ["a.b"] }] })), ip).toEqual([]);
    for (const ip of ["", "1.2.3", "2001:db8:::1", "1::2::3", "01.2.3.4", "g::1"])
      expect(messages(pod({ hostAliases: [{ ip, hostnames: [] }] })), ip).toHaveLength(1);
  });
});
