import { X509Certificate } from "node:crypto";
import type { PeerCertificate } from "node:tls";
import { describe, expect, it } from "vitest";
import { identityOfCall } from "./grpc.js";
import { createCa, issueCertificate } from "./pki.js";

/** A grpc-js-shaped call chain (interceptor call → base call → stream → session) over one peer certificate. */
function fakeCall(session: object, pem: string) {
  const cert = new X509Certificate(pem);
  let asked = 0;
  const base = {
    stream: { session },
    getAuthContext: () => (asked++, { sslPeerCertificate: { raw: cert.raw, fingerprint256: cert.fingerprint256 } as PeerCertificate }),
  };
  return { call: { nextCall: base, getAuthContext: () => base.getAuthContext() }, asked: () => asked };
}

describe("identityOfCall", () => {
  const ca = createCa();
  const alice = issueCertificate(ca, { user: "alice", groups: ["devs"], validityMs: 3600_000 }).cert;
  const bob = issueCertificate(ca, { user: "bob", groups: [], validityMs: 3600_000 }).cert;

  it("reads the peer certificate once per connection, and each connection's own", () => {
    const s1 = {};
    const a = fakeCall(s1, alice);
    expect(identityOfCall(a.call)).toEqual({ user: "alice", groups: ["devs"] });
    const again = identityOfCall(a.call)!;
    expect(again).toEqual({ user: "alice", groups: ["devs"] });
    expect(a.asked()).toBe(1);
    again.groups.push("system:masters"); // a caller changing its copy changes nothing for the next call
    expect(identityOfCall(a.call)).toEqual({ user: "alice", groups: ["devs"] });
    const b = fakeCall({}, bob);
    expect(identityOfCall(b.call)).toEqual({ user: "bob", groups: [] });
  });

  it("asks every time when the call has no session it can find", () => {
    const cert = new X509Certificate(alice);
    let asked = 0;
    const call = { getAuthContext: () => (asked++, { sslPeerCertificate: { raw: cert.raw, fingerprint256: cert.fingerprint256 } as PeerCertificate }) };
    identityOfCall(call);
    identityOfCall(call);
    expect(asked).toBe(2);
  });
});
