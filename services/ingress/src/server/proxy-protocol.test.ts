import { describe, expect, it } from "vitest";
import { parseProxyHeader } from "./proxy-protocol.js";
import { proxyHeaderV2 } from "../../../proxy/src/tcp/proxy-protocol.js";

const SIG = Buffer.from("0d0a0d0a000d0a515549540a", "hex");

describe("PROXY protocol v2 parsing", () => {
  it("reads a TCP4 header (hand-built per the spec) and says how long it is", () => {
    const h = Buffer.concat([SIG, Buffer.from("2111000c", "hex"), Buffer.from([203, 0, 113, 7, 10, 96, 0, 10]), Buffer.from("9c400050", "hex")]);
    const rest = Buffer.from("GET / HTTP/1.1\r\n");
    expect(parseProxyHeader(Buffer.concat([h, rest]))).toEqual({ kind: "header", length: 28, peer: { address: "203.0.113.7", port: 40000, family: "IPv4" } });
  });

  it("round-trips the node proxy's headers, IPv6 included", () => {
    for (const [src, want] of [
      ["192.168.1.20", "192.168.1.20"],
      ["2001:db8::1", "2001:db8::1"],
      ["fe80::1:0:0:2", "fe80::1:0:0:2"],
      ["::1", "::1"],
    ]) {
      const p = parseProxyHeader(proxyHeaderV2(src, 5555, "10.0.0.1", 80));
      expect(p.kind === "header" && p.peer).toMatchObject({ address: want, port: 5555 });
    }
  });

  it("asks for more bytes on a prefix and passes other protocols through", () => {
    expect(parseProxyHeader(SIG.subarray(0, 5))).toEqual({ kind: "more" });
    expect(parseProxyHeader(proxyHeaderV2("1.2.3.4", 1, "5.6.7.8", 2).subarray(0, 20))).toEqual({ kind: "more" });
    expect(parseProxyHeader(Buffer.from("GET / HTTP/1.1\r\n"))).toEqual({ kind: "none" });
    expect(parseProxyHeader(Buffer.from([0x16, 0x03, 0x01]))).toEqual({ kind: "none" });
  });

  it("keeps the connection's address for LOCAL and refuses other versions", () => {
    expect(parseProxyHeader(proxyHeaderV2("", 0, "", 0))).toEqual({ kind: "header", length: 16 });
    const v3 = Buffer.concat([SIG, Buffer.from("31110000", "hex")]);
    expect(parseProxyHeader(v3).kind).toBe("invalid");
  });
});
