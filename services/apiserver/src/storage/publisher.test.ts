import { afterEach, describe, expect, it, vi } from "vitest";
import { headers as natsHeaders, errors as natsErrors, type Msg, type MsgHdrs, type NatsConnection } from "@nats-io/nats-core";
import { AckPublisher } from "./publisher.js";
import { transient } from "./retry.js";

/** A connection that records publishes and lets the test answer on the reply subscription. */
function fakeConnection() {
  let onMsg: (err: Error | null, msg: Msg) => void = () => undefined;
  let closeSub: () => void = () => undefined;
  const sent: { subject: string; reply: string; headers: MsgHdrs }[] = [];
  const nc = {
    subscribe: (_subject: string, opts: { callback: typeof onMsg }) => {
      onMsg = opts.callback;
      return { closed: new Promise<void>((r) => (closeSub = r)), unsubscribe: () => undefined };
    },
    publish: (subject: string, _data: Uint8Array, o: { reply: string; headers: MsgHdrs }) => sent.push({ subject, reply: o.reply, headers: o.headers }),
  } as unknown as NatsConnection;
  const answer = (reply: string, body: string, code?: number) =>
    onMsg(null, { subject: reply, data: new TextEncoder().encode(body), headers: code ? { code } : undefined } as unknown as Msg);
  return { nc, sent, answer, close: () => closeSub() };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("AckPublisher", () => {
  it("sends the message id and expected sequence, and resolves each publish with its own ack, in any order", async () => {
    const f = fakeConnection();
    const p = new AckPublisher(f.nc, 1000);
    const a = p.publish("$KV.b.a", new Uint8Array(), natsHeaders(), "id-a", 0);
    const b = p.publish("$KV.b.b", new Uint8Array(), natsHeaders(), "id-b", 7);
    expect(f.sent[1].headers.get("Nats-Msg-Id")).toBe("id-b");
    expect(f.sent[1].headers.get("Nats-Expected-Last-Subject-Sequence")).toBe("7");
    expect(f.sent[0].reply).not.toBe(f.sent[1].reply);
    f.answer(f.sent[1].reply, JSON.stringify({ stream: "KV_b", seq: 12 }));
    f.answer(f.sent[0].reply, JSON.stringify({ stream: "KV_b", seq: 11 }));
    await expect(a).resolves.toBe(11);
    await expect(b).resolves.toBe(12);
  });

  it("turns the server's error into JetStreamApiError and no responders into a transient error", async () => {
    const f = fakeConnection();
    const p = new AckPublisher(f.nc, 1000);
    const conflict = p.publish("$KV.b.a", new Uint8Array(), natsHeaders(), "id-a", 3);
    const nobody = p.publish("$KV.b.b", new Uint8Array(), natsHeaders(), "id-b", 0);
    f.answer(f.sent[0].reply, JSON.stringify({ error: { code: 400, err_code: 10071, description: "wrong last sequence: 4" } }));
    f.answer(f.sent[1].reply, "", 503);
    const err = await conflict.catch((e: unknown) => e);
    expect((err as { apiError(): { err_code: number } }).apiError().err_code).toBe(10071);
    expect(transient(err)).toBe(false);
    const none = await nobody.catch((e: unknown) => e);
    expect(none).toBeInstanceOf(natsErrors.NoRespondersError);
    expect(transient(none)).toBe(true);
  });

  it("times out a publish with no ack as a transient error and ignores its late ack", async () => {
    vi.useFakeTimers();
    const f = fakeConnection();
    const p = new AckPublisher(f.nc, 1000);
    const late = p.publish("$KV.b.a", new Uint8Array(), natsHeaders(), "id-a", 0);
    const outcome = late.catch((e: unknown) => e);
    vi.advanceTimersByTime(500);
    const answered = p.publish("$KV.b.b", new Uint8Array(), natsHeaders(), "id-b", 0);
    f.answer(f.sent[1].reply, JSON.stringify({ stream: "KV_b", seq: 5 }));
    await expect(answered).resolves.toBe(5);
    vi.advanceTimersByTime(700);
    const err = await outcome;
    expect(err).toBeInstanceOf(natsErrors.TimeoutError);
    expect(transient(err)).toBe(true);
    f.answer(f.sent[0].reply, JSON.stringify({ stream: "KV_b", seq: 6 })); // no throw, no effect
  });

  it("fails what still waits when the connection's subscription ends", async () => {
    const f = fakeConnection();
    const p = new AckPublisher(f.nc, 1000);
    const waiting = p.publish("$KV.b.a", new Uint8Array(), natsHeaders(), "id-a", 0);
    f.close();
    await expect(waiting).rejects.toBeInstanceOf(natsErrors.ClosedConnectionError);
  });
});
