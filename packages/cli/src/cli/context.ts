// What every command receives: parsed flags, where the cluster is, a lazily made API client,
// the resource registry, and the output streams.
import { ResourceRegistry } from "@skiff/api";
import { ApiClient } from "@skiff/client";
import type { Flags, FlagSpec } from "./args.js";
import { resolveApiserver, resolveHome } from "./connection.js";
import { CliError } from "./errors.js";
import { cliTlsDir } from "../pki/pki.js";

/** One `skiff` subcommand: its flags and what it does. */
export interface Command {
  name: string;
  aliases?: string[];
  /** One line for `skiff help`. */
  summary: string;
  /** Usage line and examples for `skiff CMD -h`. */
  usage: string;
  flags: FlagSpec;
  /** Runs the command; returns the exit code (0 when nothing is returned). */
  run(ctx: Context): Promise<number | undefined>;
}

/** Where text goes (stdout / stderr in production). */
export interface Output {
  write(s: string): void;
}

/** The per-invocation state commands share. */
export class Context {
  readonly registry = new ResourceRegistry();
  readonly home: string;
  private apiClient?: ApiClient;
  private serverList?: string[];

  constructor(
    readonly positionals: string[],
    readonly flags: Flags,
    readonly out: Output,
    readonly err: Output,
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.home = resolveHome(flags.string("home"), env);
  }

  /** The apiserver addresses (resolved on first use, so `up` never reads a stale cluster.json). */
  get servers(): string[] {
    this.serverList ??= resolveApiserver(this.flags.string("server"), this.env, this.home);
    return this.serverList;
  }

  /** The API client, created on first use. */
  client(): ApiClient {
    if (!this.apiClient) {
      const dir = this.tlsDir;
      if (!dir)
        throw new CliError(
          `no client certificate: apiservers accept only certificates of the cluster CA. Use --tls-dir DIR (ca.crt, tls.crt, tls.key) or $SKIFF_TLS_DIR; on a control plane, ${this.home}/pki/admin is used`,
        );
      this.apiClient = new ApiClient({ addresses: this.servers, tls: { dir } });
    }
    return this.apiClient;
  }

  /** The certificate this CLI presents (see cliTlsDir). */
  get tlsDir(): string | undefined {
    return cliTlsDir(this.flags.string("tls-dir"), this.env, this.home);
  }

  /** The namespace of namespaced requests: -n, else "default". */
  get namespace(): string {
    return this.flags.string("namespace") || "default";
  }

  /** Closes connections so the process can exit. */
  close(): void {
    this.apiClient?.close();
    this.apiClient = undefined;
  }
}
