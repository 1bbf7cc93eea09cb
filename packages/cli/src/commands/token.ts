// skiff token create|list|delete: join tokens (Secrets kube-system/bootstrap-token-<id>, as
// kubeadm's), each with a lifetime; deleting one revokes it. `create --print-join-command`
// prints the whole `skiff node --join …` line, like kubeadm token create --print-join-command.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Secret } from "@skiff/api";
import { caCertHash, JOIN_TOKEN_NAMESPACE, JOIN_TOKEN_TYPE, joinTokenSecret, joinTokenSecretName, newJoinToken, type ApiClient } from "@skiff/client";
import { UsageError } from "../cli/args.js";
import type { Command, Context } from "../cli/context.js";
import { readClusterInfo } from "../cli/connection.js";

/** "90s", "30m", "24h", "7d" → ms. */
export function parseDuration(s: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(s.trim());
  if (!m) throw new UsageError(`invalid duration ${JSON.stringify(s)}: use e.g. 30m, 24h, 7d`);
  const ms = Number(m[1]) * { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 }[m[2] as "s" | "m" | "h" | "d"];
  if (ms <= 0) throw new UsageError("a token lifetime must be positive");
  return ms;
}

/** Creates a join token valid for `ttlMs`; returns it. */
export async function createJoinToken(client: ApiClient, ttlMs: number): Promise<string> {
  const token = newJoinToken();
  await client.create("secrets", joinTokenSecret(token, ttlMs), JOIN_TOKEN_NAMESPACE);
  return token;
}

async function run(ctx: Context): Promise<number> {
  const [verb, id] = ctx.positionals;
  const client = ctx.client();
  if (verb === "create") {
    const ttl = ctx.flags.string("ttl") ?? "24h";
    const token = await createJoinToken(client, parseDuration(ttl));
    if (!ctx.flags.bool("print-join-command")) {
      ctx.out.write(`${token}\n`);
      return 0;
    }
    const info = readClusterInfo(ctx.home);
    const ca = readFileSync(join(ctx.home, "pki", "ca.crt"), "utf8");
    const nats = (info?.nats ?? "nats://127.0.0.1:4222").split(",");
    ctx.out.write(joinCommand(ctx.servers, token, caCertHash(ca), nats, info?.server && !info.server.endsWith(":6443") ? [info.server] : undefined) + "\n");
    return 0;
  }
  if (verb === "list") {
    const items = (await client.list<Secret>("secrets", { namespace: JOIN_TOKEN_NAMESPACE })).items.filter((s) => s.type === JOIN_TOKEN_TYPE);
    ctx.out.write("TOKEN ID\tEXPIRES\n");
    for (const s of items) ctx.out.write(`${Buffer.from(s.data?.["token-id"] ?? "", "base64")}\t${Buffer.from(s.data?.expiration ?? "", "base64")}\n`);
    return 0;
  }
  if (verb === "delete") {
    if (!id) throw new UsageError("skiff token delete TOKEN-ID (or the whole token)");
    await client.delete("secrets", joinTokenSecretName(id.split(".")[0]), JOIN_TOKEN_NAMESPACE, { gracePeriodSeconds: 0 });
    ctx.out.write(`join token ${id.split(".")[0]} revoked\n`);
    return 0;
  }
  throw new UsageError("skiff token create|list|delete");
}

/** `skiff token`. */
export const tokenCommand: Command = {
  name: "token",
  summary: "Create, list and revoke join tokens (TLS bootstrap of nodes)",
  usage: `skiff token create [--ttl 24h] [--print-join-command]
  skiff token list
  skiff token delete TOKEN-ID`,
  flags: {
    ttl: { type: "string", description: "Lifetime of the token (e.g. 30m, 24h, 7d).", default: "24h" },
    "print-join-command": { type: "boolean", description: "Print the whole `skiff node --join` command." },
  },
  run,
};

/** The command a node runs to join (kubeadm's --print-join-command). */
export function joinCommand(apiservers: string[], token: string, caCertHash: string, nats: string[], bootstrap?: string[]): string {
  return `skiff node --join ${apiservers.join(",")} --token ${token} --ca-cert-hash ${caCertHash} --nats ${nats.join(",")}${bootstrap ? ` --bootstrap-server ${bootstrap.join(",")}` : ""}`;
}
