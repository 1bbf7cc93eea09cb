// The access log's hand-built lines are JSON in pino's shape, with every string escaped.
import { describe, expect, it } from "vitest";
import { AccessLog } from "./access-log.js";

describe("AccessLog", () => {
  it("writes one JSON line per request with the bindings, the fields and msg", () => {
    const lines: string[] = [];
    const log = new AccessLog({ service: "ingress", component: "access" }, "info", { write: (l) => lines.push(l), flush: () => undefined });
    log.write({
      remote: "192.0.2.7",
      proto: "http/1.1",
      method: "GET",
      host: 'a"b.example.com',
      url: "/x?q=\\\n",
      status: 200,
      bytes: 3,
      ms: 1.5,
      ingress: "default/web",
      upstream: "10.0.0.1:80",
    });
    log.write({ remote: "", proto: "https/upgrade", status: 502, err: "refused", ingress: "" });
    expect(lines.every((l) => l.endsWith("}\n"))).toBe(true);
    const [a, b] = lines.map((l) => JSON.parse(l));
    expect(a).toMatchObject({
      level: 30,
      service: "ingress",
      component: "access",
      host: 'a"b.example.com',
      url: "/x?q=\\\n",
      status: 200,
      bytes: 3,
      ms: 1.5,
      msg: "request",
    });
    expect(typeof a.time).toBe("number");
    expect(b).toEqual({
      level: 30,
      time: b.time,
      service: "ingress",
      component: "access",
      remote: "",
      proto: "https/upgrade",
      status: 502,
      err: "refused",
      msg: "request",
    });
  });

  it("writes nothing above level info", () => {
    const lines: string[] = [];
    new AccessLog({ service: "ingress" }, "warn", { write: (l) => lines.push(l), flush: () => undefined }).write({
      remote: "x",
      proto: "http/1.1",
      status: 200,
    });
    expect(lines).toEqual([]);
  });
});
