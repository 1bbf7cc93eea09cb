import { describe, expect, it } from "vitest";
import { caCertHash, certInfo, createCa, createCsr, issueCertificate, parseCsr, signCsr, verifiedBy } from "./pki.js";

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
});
