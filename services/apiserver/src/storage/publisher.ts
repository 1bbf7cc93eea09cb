// JetStream publishes, pipelined, with every ack on one reply subscription.
//
// nats.js's `js.publish` is a request per message: an entry in the request mux, a timer of its
// own, and an Error built whenever a request completes (RequestOne.cancel rejects its already
// settled promise with a fresh RequestError, stack trace included). In a burst of pod writes that
// was about 5% of the apiserver's CPU. Here a publish is one message with a reply subject under a
// single subscription, a map entry, and a place in a deadline-ordered sweep.
//
// Semantics are js.publish's, as the store relies on them: the ack's stream sequence, the
// server's API errors as JetStreamApiError (10071 is the compare-and-set's "wrong last
// sequence"), a TimeoutError when no ack comes in time and a NoRespondersError when nothing
// stores the subject (both transient, see retry.ts). The caller's msgID makes a retry of a
// publish that did land an ack of that publish, not a second message.
import { createInbox, errors as natsErrors, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from "@nats-io/nats-core";
import { JetStreamApiError, PubHeaders } from "@nats-io/jetstream";

interface Pending {
  resolve(seq: number): void;
  reject(err: Error): void;
  deadline: number;
}

/** How often expired publishes are failed (their timeout is at most this late). */
const SWEEP_MS = 100;

export class AckPublisher {
  private readonly inbox: string;
  private readonly sub: Subscription;
  /** In the order publishes were sent; with one timeout for all, that is deadline order. */
  private readonly pending = new Map<string, Pending>();
  private next = 0;
  private readonly sweeper: NodeJS.Timeout;
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
  ) {
    this.inbox = `${createInbox()}.`;
    this.sub = nc.subscribe(`${this.inbox}*`, { callback: (err, msg) => (err ? this.failAll(err) : this.onAck(msg)) });
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS).unref();
    // The subscription ends with the connection (close, drain): what still waits fails then.
    void this.sub.closed.then(() => {
      clearInterval(this.sweeper);
      this.failAll(new natsErrors.ClosedConnectionError());
    });
  }

  /** Stores `data` on `subject` when the subject's last sequence is `expectSeq` (0: none); resolves to its sequence. */
  publish(subject: string, data: Uint8Array, hdrs: MsgHdrs, msgID: string, expectSeq: number): Promise<number> {
    hdrs.set(PubHeaders.MsgIdHdr, msgID);
    hdrs.set(PubHeaders.ExpectedLastSubjectSequenceHdr, String(expectSeq));
    const token = (this.next++).toString(36);
    return new Promise<number>((resolve, reject) => {
      this.pending.set(token, { resolve, reject, deadline: Date.now() + this.timeoutMs });
      try {
        this.nc.publish(subject, data, { reply: this.inbox + token, headers: hdrs });
      } catch (err) {
        this.pending.delete(token);
        reject(err as Error);
      }
    });
  }

  private onAck(msg: Msg): void {
    const token = msg.subject.slice(this.inbox.length);
    const p = this.pending.get(token);
    if (!p) return; // timed out already; the caller retried with the same msgID
    this.pending.delete(token);
    if (msg.data.length === 0 && msg.headers?.code === 503) {
      p.reject(new natsErrors.NoRespondersError(msg.subject));
      return;
    }
    try {
      const ack = JSON.parse(this.decoder.decode(msg.data)) as { seq?: number; error?: ConstructorParameters<typeof JetStreamApiError>[0] };
      if (ack.error) p.reject(new JetStreamApiError(ack.error));
      else if (typeof ack.seq === "number" && ack.seq > 0) p.resolve(ack.seq);
      else p.reject(new Error(`invalid JetStream publish ack: ${this.decoder.decode(msg.data).slice(0, 200)}`));
    } catch (err) {
      p.reject(err as Error);
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, p] of this.pending) {
      if (p.deadline > now) return;
      this.pending.delete(token);
      p.reject(new natsErrors.TimeoutError());
    }
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
