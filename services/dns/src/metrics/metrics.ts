// Cluster DNS metrics under CoreDNS' names (what dashboards for kube-dns/CoreDNS read): queries by
// transport and type, responses by rcode, and latency, each by zone (the cluster domain or ".").
import { Counter, Histogram, enableProcessMetrics } from "@skiff/metrics";
import { parseQuery } from "../wire/wire.js";

const SERVER = "dns://";
const requests = new Counter({
  name: "coredns_dns_requests_total",
  help: "Counter of DNS requests made per zone, protocol and family.",
  labelNames: ["server", "zone", "proto", "family", "type"],
});
const responses = new Counter({ name: "coredns_dns_responses_total", help: "Counter of response status codes.", labelNames: ["server", "zone", "rcode"] });
const seconds = new Histogram({
  name: "coredns_dns_request_duration_seconds",
  help: "Histogram of the time (in seconds) each request took per zone.",
  labelNames: ["server", "zone", "type"],
  buckets: [0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192],
});

const TYPES: Record<number, string> = { 1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA", 33: "SRV", 255: "ANY" };
const RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];

/** Wraps the server's answer(msg, via) so every query is counted and timed (one call in the wiring). */
export function instrumentDns(server: { answer(msg: Buffer, via: "udp" | "tcp"): Promise<Buffer | undefined> }, domain: string, family: "1" | "2"): void {
  enableProcessMetrics();
  const answer = server.answer.bind(server);
  const suffix = `.${domain.toLowerCase()}`;
  server.answer = async (msg, via) => {
    const start = performance.now();
    let type = "other",
      zone = ".";
    try {
      const q = parseQuery(msg);
      type = TYPES[q.type] ?? "other";
      const name = q.name.toLowerCase().replace(/\.$/, "");
      if (name === domain || name.endsWith(suffix)) zone = `${domain}.`;
    } catch {
      type = "invalid";
    }
    requests.inc({ server: SERVER, zone, proto: via, family, type });
    const out = await answer(msg, via);
    seconds.observe({ server: SERVER, zone, type }, (performance.now() - start) / 1000);
    const rcode = out && out.length >= 4 ? out[3] & 0x0f : -1;
    responses.inc({ server: SERVER, zone, rcode: rcode < 0 ? "DROPPED" : (RCODES[rcode] ?? String(rcode)) });
    return out;
  };
}
