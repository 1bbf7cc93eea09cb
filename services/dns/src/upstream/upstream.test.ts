import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@skiff/log";
import { DnsServer } from "../server/server.js";
import { buildQuery, buildResponse, parseQuery, parseResponse, RCODE, TYPE } from "../wire/wire.js";
import { parseResolvConf, resolveUpstreams } from "./resolv-conf.js";

const emptyView = { service: () => undefined, endpoints: () => undefined, services: () => [], allEndpoints: () => [] };

describe("upstream resolvers from resolv.conf", () => {
  it("takes the nameservers in order, port 53, ignoring other lines", () => {
    expect(
      parseResolvConf("# generated\nsearch example.lan\nnameserver 192.0.2.53\noptions ndots:1\nnameserver fe80::1%eth0\n nameserver 198.51.100.7 \n"),
    ).toEqual(["192.0.2.53:53", "[fe80::1]:53", "198.51.100.7:53"]);
  });

  it("--upstream wins; none disables; the default reads the file and leaves out our own address", () => {
    const f = join(mkdtempSync(join(tmpdir(), "skiff-dns-")), "resolv.conf");
    writeFileSync(f, "nameserver 127.0.0.53\nnameserver 192.0.2.1\n");
    expect(resolveUpstreams("", f, "127.0.0.53:53")).toEqual(["192.0.2.1:53"]);
    expect(resolveUpstreams("", f, "127.0.0.1:10053")).toEqual(["127.0.0.53:53", "192.0.2.1:53"]);
    expect(resolveUpstreams("none", f, "x")).toEqual([]);
    expect(resolveUpstreams("127.0.0.1:5353,127.0.0.2:53", f, "x")).toEqual(["127.0.0.1:5353", "127.0.0.2:53"]);
    expect(resolveUpstreams("", join(f, "missing"), "x")).toEqual([]);
  });
});

describe("forwarding to a fake upstream on loopback", () => {
  let fake: Socket;
  let fakePort = 0;
  let dead: Socket;
  let deadPort = 0;
  const asked: string[] = [];
  beforeAll(async () => {
    // A fake upstream that answers every A question with 192.0.2.10; a dead one that never answers.
    fake = createSocket("udp4");
    fake.on("message", (m, r) => {
      const q = parseQuery(m);
      asked.push(q.name);
      fake.send(buildResponse(q, RCODE.NOERROR, [{ name: q.name, type: TYPE.A, ttl: 30, ip: "192.0.2.10" }], [], { recursion: true }), r.port, r.address);
    });
    await new Promise<void>((r) => fake.bind(0, "127.0.0.1", () => r()));
    fakePort = fake.address().port;
    dead = createSocket("udp4");
    await new Promise<void>((r) => dead.bind(0, "127.0.0.1", () => r()));
    deadPort = dead.address().port;
  });
  afterAll(() => {
    fake.close();
    dead.close();
  });

  it("names outside the cluster domain are answered by the upstream; a silent upstream is skipped", async () => {
    const server = new DnsServer(
      emptyView,
      { host: "127.0.0.1", port: 0, domain: "cluster.local", upstreams: [`127.0.0.1:${deadPort}`, `127.0.0.1:${fakePort}`], upstreamTimeoutMs: 300 },
      silentLogger(),
    );
    const out = await server.answer(buildQuery(7, "example.org", TYPE.A), "udp");
    const r = parseResponse(out!);
    expect(r.rcode).toBe(RCODE.NOERROR);
    expect(r.answers).toEqual([expect.objectContaining({ name: "example.org", value: "192.0.2.10" })]);
    expect(asked).toContain("example.org");
    // Names in the cluster domain never leave.
    const inside = parseResponse((await server.answer(buildQuery(8, "nosuch.default.svc.cluster.local", TYPE.A), "udp"))!);
    expect(inside.rcode).toBe(RCODE.NXDOMAIN);
    expect(asked).not.toContain("nosuch.default.svc.cluster.local");
  });

  it("with no upstream, outside names are REFUSED", async () => {
    const server = new DnsServer(emptyView, { host: "127.0.0.1", port: 0, domain: "cluster.local", upstreams: [], upstreamTimeoutMs: 300 }, silentLogger());
    expect(parseResponse((await server.answer(buildQuery(9, "example.org", TYPE.A), "udp"))!).rcode).toBe(RCODE.REFUSED);
  });
});
