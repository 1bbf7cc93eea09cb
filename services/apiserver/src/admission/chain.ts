// The admission chain every write passes (k8s.io/apiserver/pkg/admission): mutating plugins
// first, which may change the object, then validating plugins, which may only refuse it. A
// plugin that takes something outside the object (an allocated address) returns a release
// callback, told whether the write was stored, so nothing leaks when a later step refuses.
import type { KObject, ResourceInfo } from "@skiff/api";
import type { UserInfo } from "../auth/user.js";

/** What a plugin sees of one write. */
export interface AdmissionAttributes {
  operation: "CREATE" | "UPDATE" | "DELETE";
  resource: ResourceInfo;
  /** "" for the main resource, else "status", "binding", "scale", … */
  subresource: string;
  namespace: string;
  name: string;
  /** The object to store (absent on DELETE); mutating plugins may change it in place. */
  object?: KObject;
  /** The stored object an UPDATE or DELETE replaces. */
  oldObject?: KObject;
  dryRun: boolean;
  /** Who is writing, when known (the REST API's authenticated user; internal callers have none). */
  user?: UserInfo;
  /** Tells the client something without refusing the write (a Warning header on the REST API). */
  warn?: (message: string) => void;
}

/** How a write ended: the object stored, the object removed from the store, or nothing written. */
export type Outcome = "stored" | "removed" | "failed";

/** Called once the write is decided. */
export type Completion = (outcome: Outcome) => Promise<void>;

/** A mutating plugin: fills or changes the object; throws a typed error to refuse. */
export interface MutatingPlugin {
  name: string;
  handles(a: AdmissionAttributes): boolean;
  // biome-ignore lint/suspicious/noConfusingVoidType: most plugins need no completion and simply return
  admit(a: AdmissionAttributes): Promise<Completion | void>;
}

/** A validating plugin: looks, never changes; throws a typed error to refuse. */
export interface ValidatingPlugin {
  name: string;
  handles(a: AdmissionAttributes): boolean;
  validate(a: AdmissionAttributes): Promise<void>;
}

/** The plugins of one apiserver, in order. */
export class AdmissionChain {
  constructor(
    readonly mutating: MutatingPlugin[] = [],
    readonly validating: ValidatingPlugin[] = [],
  ) {}

  /**
   * Runs the mutating plugins; returns one completion for all of them. If a plugin refuses,
   * the ones before it are told the write failed before the error goes on.
   */
  async admit(a: AdmissionAttributes): Promise<Completion> {
    const done: Completion[] = [];
    const complete: Completion = async (outcome) => {
      for (const c of done.reverse()) await c(outcome);
      done.length = 0;
    };
    try {
      for (const p of this.mutating) {
        if (!p.handles(a)) continue;
        const c = await p.admit(a);
        if (c) done.push(c);
      }
    } catch (err) {
      await complete("failed");
      throw err;
    }
    return complete;
  }

  /** Runs the validating plugins. */
  async validate(a: AdmissionAttributes): Promise<void> {
    for (const p of this.validating) if (p.handles(a)) await p.validate(a);
  }
}
