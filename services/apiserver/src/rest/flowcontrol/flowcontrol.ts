// Flow control of the REST API, Kubernetes' API Priority and Fairness in small: each priority
// level serves a bounded number of requests at once, queues a bounded number per flow (one
// client: its credentials, else its address) and dispatches the queues round-robin, so one
// client's flood waits behind itself; what does not fit gets 429 with Retry-After. Long-running
// requests (watches, followed logs, proxies) are not counted and have no timeout; every other
// request gets 504 when it has not answered within the request timeout.
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { TimeoutError, TooManyRequestsError } from "@skiff/api";
import { flag } from "../handlers/query.js";
import { parseResourcePath } from "../http/route.js";

/** Bounds of one priority level. */
export interface PriorityLevelOptions {
  /** Requests of the level served at once. */
  maxInflight: number;
  /** Requests one flow may have waiting for a slot; more are refused with 429. */
  queueLengthPerFlow: number;
  /** How long a request may wait for a slot before it is refused with 429. */
  queueWaitMs: number;
}

/** Options of the REST API's flow control (documented defaults in compileFlowControlOptions). */
export interface FlowControlOptions {
  /** Reads (GET, HEAD): Kubernetes' --max-requests-inflight in small. */
  readonly: PriorityLevelOptions;
  /** Writes (POST, PUT, PATCH, DELETE): --max-mutating-requests-inflight in small. */
  mutating: PriorityLevelOptions;
  /** A request that has not answered after this long gets 504 (--request-timeout; the `timeout` parameter may shorten it). */
  requestTimeoutMs: number;
}

/** Fills the defaults: 100 reads and 50 writes at once, 50 queued per flow for up to 5 s, 60 s request timeout. */
export function compileFlowControlOptions(
  p: { maxRequestsInflight?: number; maxMutatingRequestsInflight?: number; requestTimeoutMs?: number; queueLengthPerFlow?: number; queueWaitMs?: number } = {},
): FlowControlOptions {
  const queue = { queueLengthPerFlow: p.queueLengthPerFlow ?? 50, queueWaitMs: p.queueWaitMs ?? 5000 };
  return {
    readonly: { maxInflight: p.maxRequestsInflight ?? 100, ...queue },
    mutating: { maxInflight: p.maxMutatingRequestsInflight ?? 50, ...queue },
    requestTimeoutMs: p.requestTimeoutMs ?? 60_000,
  };
}

interface Waiter {
  grant: () => void;
  reject: (err: Error) => void;
}

/** One priority level: a concurrency bound and fair queues of flows. */
export class PriorityLevel {
  private inflight = 0;
  private readonly queues = new Map<string, Waiter[]>();
  /** Flows with waiters, in dispatch order (round-robin). */
  private readonly turn: string[] = [];
  /** Requests refused with 429 since start. */
  rejected = 0;

  constructor(
    readonly name: string,
    private readonly o: PriorityLevelOptions,
  ) {}

  /** Requests being served now. */
  get executing(): number {
    return this.inflight;
  }

  /** Waits for a slot for one request of `flow`; resolves with its release, or rejects with 429. */
  acquire(flow: string, abandoned: Promise<void>): Promise<() => void> {
    const release = once(() => {
      this.inflight--;
      this.dispatch();
    });
    if (this.inflight < this.o.maxInflight && this.turn.length === 0) {
      this.inflight++;
      return Promise.resolve(release);
    }
    const q = this.queues.get(flow) ?? [];
    if (q.length >= this.o.queueLengthPerFlow) return Promise.reject(this.tooMany("the client has too many requests queued"));
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve(release);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      const timer = setTimeout(() => this.drop(flow, w, this.tooMany("the request waited too long for its turn")), this.o.queueWaitMs);
      void abandoned.then(() => this.drop(flow, w, new Error("client went away")));
      if (q.length === 0) {
        this.queues.set(flow, q);
        this.turn.push(flow);
      }
      q.push(w);
    });
  }

  private tooMany(why: string): TooManyRequestsError {
    this.rejected++;
    return new TooManyRequestsError(`Too many requests, please try again later (priority level ${this.name}: ${why})`, 1);
  }

  private drop(flow: string, w: Waiter, err: Error): void {
    const q = this.queues.get(flow);
    const i = q?.indexOf(w) ?? -1;
    if (!q || i < 0) return;
    q.splice(i, 1);
    if (q.length === 0) this.forget(flow);
    w.reject(err);
  }

  private forget(flow: string): void {
    this.queues.delete(flow);
    const t = this.turn.indexOf(flow);
    if (t >= 0) this.turn.splice(t, 1);
  }

  /** Hands free slots to the queued flows in turn: one request per flow per round. */
  private dispatch(): void {
    while (this.inflight < this.o.maxInflight && this.turn.length > 0) {
      const flow = this.turn.shift()!;
      const q = this.queues.get(flow)!;
      const w = q.shift()!;
      if (q.length === 0) this.queues.delete(flow);
      else this.turn.push(flow);
      this.inflight++;
      w.grant();
    }
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}

/** The flow of a request: who sent it (a hash of its credentials), else where from. */
export function flowOf(req: IncomingMessage): string {
  const auth = req.headers.authorization;
  const cert = (req.socket as { getPeerCertificate?: () => { fingerprint256?: string } }).getPeerCertificate?.()?.fingerprint256;
  const who = auth ?? cert;
  return who ? createHash("sha256").update(who).digest("hex").slice(0, 16) : `addr:${req.socket.remoteAddress ?? ""}`;
}

/** Whether a request streams for as long as the client wants (watches, followed logs, proxies): not bounded, no timeout. */
export function isLongRunning(_req: IncomingMessage, url: URL): boolean {
  const p = parseResourcePath(url.pathname.replace(/\/+$/, ""));
  if (!p) return false;
  if (p.watchPrefix || flag(url.searchParams, "watch")) return true;
  if (p.subresource === "log" && flag(url.searchParams, "follow")) return true;
  return p.subresource === "proxy" || p.subresource === "exec" || p.subresource === "attach" || p.subresource === "portforward";
}

/** A Go duration ("30s", "1m30s", "500ms") in milliseconds; undefined when malformed. */
export function parseGoDuration(s: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s)) return undefined;
  let ms = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * units[m[2]];
  return ms;
}

/** Bounds the REST API's requests; `serve` wraps the handler of every request. */
export class FlowControl {
  readonly levels: { readonly: PriorityLevel; mutating: PriorityLevel };

  constructor(readonly opts: FlowControlOptions) {
    this.levels = { readonly: new PriorityLevel("readonly", opts.readonly), mutating: new PriorityLevel("mutating", opts.mutating) };
  }

  /**
   * Runs `handle` once the request has a slot (long-running requests at once), answering 429
   * when it gets none and 504 when it does not answer in time. Errors go to `fail`.
   */
  async serve(req: IncomingMessage, res: ServerResponse, handle: () => Promise<void>): Promise<void> {
    const url = new URL(req.url ?? "/", "https://apiserver");
    // Health checks are exempt, as in Kubernetes: a busy apiserver is not a dead one.
    if (isLongRunning(req, url) || /^\/(healthz|livez|readyz)\/?$/.test(url.pathname)) return handle();
    let timeoutMs = this.opts.requestTimeoutMs;
    const asked = url.searchParams.get("timeout");
    if (asked) {
      const ms = parseGoDuration(asked);
      if (ms !== undefined && ms > 0) timeoutMs = Math.min(timeoutMs, ms);
    }
    const level = req.method === "GET" || req.method === "HEAD" ? this.levels.readonly : this.levels.mutating;
    const abandoned = new Promise<void>((resolve) => res.once("close", () => resolve()));
    const release = await level.acquire(flowOf(req), abandoned);
    res.once("close", release);
    res.once("finish", release);
    if (res.writableEnded || res.destroyed) return release();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`Timeout: request did not complete within the allowed duration (${timeoutMs / 1000}s)`)), timeoutMs);
    });
    const work = handle();
    // After a timeout the handler may still fail (e.g. writing to the answered response): nobody waits for it then.
    work.catch(() => undefined);
    try {
      await Promise.race([work, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
