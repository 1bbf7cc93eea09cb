// When the store retries: the transient NATS failures a leader election or a reconnect cures,
// and how every other failure reaches the API edge.
import { errors as natsErrors } from "@nats-io/nats-core";
import { JetStreamApiError } from "@nats-io/jetstream";
import { GoneError, UnavailableError } from "@skiff/api";
import { RevisionMismatch } from "./types.js";

/**
 * How long one JetStream request may take, and how long an operation keeps retrying. When a
 * stream's leader dies, requests to it go unanswered until the survivors elect a new one (a few
 * seconds on nats-server 2.9); short attempts retried within a budget make an operation wait for
 * the election, not for a fixed number of long timeouts. Writes are retried with the same
 * message id, so the stream answers a retry of a write that did land with that write's ack
 * (deduplication) instead of storing it twice or failing its compare-and-set.
 */
export interface RetryOptions {
  attemptMs: number;
  budgetMs: number;
}
export const defaultRetry: RetryOptions = { attemptMs: 2000, budgetMs: 10_000 };

/** Failures that a reconnect or a leader election cures: worth another attempt. */
export function transient(err: unknown): boolean {
  if (err instanceof natsErrors.TimeoutError || err instanceof natsErrors.NoRespondersError) return true;
  if (err instanceof natsErrors.RequestError) return err.isNoResponders() || err.cause instanceof natsErrors.TimeoutError;
  // 503: "JetStream system temporarily unavailable" (no leader yet); 408: the server timed out.
  if (err instanceof JetStreamApiError) return err.status === 503 || err.status === 408;
  return false;
}

/** Maps NATS failures to Unavailable; the API edge turns it into 503 / UNAVAILABLE. */
export function wrap(err: unknown): Error {
  if (err instanceof GoneError || err instanceof RevisionMismatch || err instanceof UnavailableError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new UnavailableError(`store unavailable: ${msg}`);
}
