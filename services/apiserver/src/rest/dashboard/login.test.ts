import { generateKeyPairSync } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { ISSUER, TokenSigner } from "../../auth/serviceaccount/jwt.js";
import { webSocketToken } from "../auth/authn.js";
import { LoginSecrets, SessionTokens } from "./login.js";

const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const signer = new TokenSigner(pem);
const alice = { name: "alice", groups: ["devs", "system:authenticated"] };

describe("dashboard sign-in", () => {
  it("a login secret is redeemed once, and not after it expired", () => {
    const s = new LoginSecrets(60);
    const secret = s.mint(alice, 1_000);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.redeem(secret, 2_000)).toEqual(alice);
    expect(s.redeem(secret, 2_000)).toBeUndefined();
    const late = s.mint(alice, 1_000);
    expect(s.redeem(late, 62_000)).toBeUndefined();
    expect(s.redeem("made-up", 1_000)).toBeUndefined();
  });

  it("a session token names the user and groups until it expires; tampered and foreign tokens are refused", () => {
    const t = new SessionTokens(signer, 3600);
    const { token, expiresAt } = t.issue(alice, Date.parse("2026-01-01T00:00:00Z"));
    expect(expiresAt).toBe("2026-01-01T01:00:00.000Z");
    expect(t.check(token, Date.parse("2026-01-01T00:30:00Z"))).toEqual(alice);
    expect(t.check(token, Date.parse("2026-01-01T01:00:01Z"))).toBeUndefined();
    const [h, , sig] = token.split(".");
    const forged = `${h}.${Buffer.from(JSON.stringify({ iss: "skiff-dashboard", aud: ["skiff-dashboard"], sub: "admin", groups: ["system:masters"], exp: 9e9 })).toString("base64url")}.${sig}`;
    expect(t.check(forged)).toBeUndefined();
    const other = new SessionTokens(
      new TokenSigner(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString()),
    );
    expect(other.check(t.issue(alice).token)).toBeUndefined();
  });

  it("session tokens and ServiceAccount tokens are not mistaken for each other", () => {
    const t = new SessionTokens(signer);
    const sa = signer.issue({ namespace: "default", name: "viewer", uid: "u1", audiences: [ISSUER], seconds: 600 }).token;
    expect(t.check(sa)).toBeUndefined();
    expect(signer.verify(t.issue(alice).token, [ISSUER])).toBeUndefined();
  });

  it("reads a bearer token from the WebSocket subprotocol, as Kubernetes does", () => {
    const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
    const proto = `base64url.bearer.authorization.k8s.io.${Buffer.from("tok.en-1").toString("base64url")}`;
    expect(webSocketToken(req({ upgrade: "websocket", "sec-websocket-protocol": `v5.channel.k8s.io, ${proto}` }))).toBe("tok.en-1");
    expect(webSocketToken(req({ upgrade: "websocket", "sec-websocket-protocol": "v5.channel.k8s.io" }))).toBeUndefined();
    expect(webSocketToken(req({ "sec-websocket-protocol": proto }))).toBeUndefined();
  });
});
