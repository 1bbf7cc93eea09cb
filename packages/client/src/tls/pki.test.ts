import { describe, expect, it } from "vitest";
import { caCertHash, certInfo, createCa, createCsr, issueCertificate, parseCsr, signCsr, signedBy, splitPem, verifiedBy, verifiedByAny } from "./pki.js";
import { renewAt } from "./bootstrap-client.js";

describe("the cluster PKI", () => {
  const ca = createCa();
  it("issues certificates naming an identity (CN = user, O = groups) that verify against their CA only", () => {
    const c = issueCertificate(ca, { user: "system:node:n1", groups: ["system:nodes"], server: true, validityMs: 3600_000 });
    const info = certInfo(c.cert);
    expect(info).toMatchObject({ user: "system:node:n1", groups: ["system:nodes"] });
    expect(info.notAfter.getTime() - Date.now()).toBeLessThanOrEqual(3600_000);
    expect(verifiedBy(c.cert, ca.cert)).toBe(true);
    expect(verifiedBy(c.cert, createCa().cert)).toBe(false);
  });

  it("signs a CSR for the identity it asks for, and rejects a tampered one", () => {
    const { csr } = createCsr({ user: "system:node:n2", groups: ["system:nodes"] });
    const parsed = parseCsr(csr);
    expect(parsed).toMatchObject({ user: "system:node:n2", groups: ["system:nodes"] });
    expect(certInfo(signCsr(ca, parsed, { server: true })).user).toBe("system:node:n2");
    expect(() => parseCsr("garbage")).toThrow(/not a PEM certificate signing request/);
  });

  it("pins a CA by the hash of its public key", () => {
    expect(caCertHash(ca.cert)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(caCertHash(ca.cert)).not.toBe(caCertHash(createCa().cert));
  });

  it("reads a trust bundle of several CAs (a CA rotation) and tells which one signed a certificate", () => {
    const next = createCa("skiff-ca-next");
    const bundle = ca.cert + next.cert;
    expect(splitPem(bundle).map((c) => certInfo(c).user)).toEqual(["skiff-ca", "skiff-ca-next"]);
    expect(splitPem("not a certificate")).toEqual([]);
    const c = issueCertificate(next, { user: "u", groups: [] });
    expect(signedBy(c.cert, next.cert)).toBe(true);
    expect(signedBy(c.cert, ca.cert)).toBe(false);
    expect(verifiedByAny(c.cert, bundle)).toBe(true);
    expect(verifiedByAny(c.cert, ca.cert)).toBe(false);
  });

  it("renews at 2/3 of the lifetime counted from the issue, not from the backdated notBefore", () => {
    const info = certInfo(issueCertificate(ca, { user: "u", groups: [], validityMs: 60_000 }).cert);
    // notBefore is 5 minutes back; renewing at 2/3 of that span would be due at once.
    const issuedAt = info.notBefore.getTime() + 5 * 60_000;
    expect(Math.abs(renewAt(info) - (issuedAt + 40_000))).toBeLessThanOrEqual(1000);
    expect(renewAt(info)).toBeGreaterThan(Date.now());
  });
});
