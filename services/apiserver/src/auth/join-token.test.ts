import { describe, expect, it } from "vitest";
import { NotFoundError, type Secret } from "@skiff/api";
import { joinTokenSecret, newJoinToken } from "@skiff/client";
import { validateJoinToken } from "./join-token.js";

function store(...secrets: Secret[]) {
  return async (ns: string, name: string) => {
    const s = secrets.find((x) => x.metadata.namespace === ns && x.metadata.name === name);
    if (!s) throw new NotFoundError("secrets", name);
    return s;
  };
}

describe("join tokens", () => {
  it("have kubeadm's shape and are random", () => {
    const a = newJoinToken();
    expect(a).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(newJoinToken()).not.toBe(a);
  });

  it("accepts a live token and names its id", async () => {
    const t = newJoinToken();
    await expect(validateJoinToken(store(joinTokenSecret(t, 60_000)), t)).resolves.toBe(t.split(".")[0]);
  });

  it("refuses missing, malformed, wrong, revoked and expired tokens with a clear message", async () => {
    const t = newJoinToken();
    const read = store(joinTokenSecret(t, 60_000));
    await expect(validateJoinToken(read, undefined)).rejects.toThrow(/needs a join token/);
    await expect(validateJoinToken(read, "nope")).rejects.toThrow(/malformed/);
    await expect(validateJoinToken(read, `${t.split(".")[0]}.0000000000000000`)).rejects.toThrow(/is not valid$/);
    await expect(validateJoinToken(store(), t)).rejects.toThrow(/revoked or never created/);
    await expect(validateJoinToken(read, t, Date.now() + 120_000)).rejects.toThrow(/expired at/);
  });
});
