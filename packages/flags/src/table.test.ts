import { describe, it, expect } from "vitest";
import { bool, checks, defineOptions, keyValues, list, num, oneOf, optional, str } from "./table.js";

const table = defineOptions(
  {
    servers: list("server", "servers", ["a:1"], { env: "X_SERVERS", check: checks.hostPorts }),
    dir: str("dir", "a directory", "", { env: "X_DIR" }),
    sub: str("sub", "under dir", ""),
    count: num("count", "how many", 3, { check: checks.positive }),
    elect: bool("elect", "elect", true),
    mode: oneOf("mode", "mode", ["fast", "slow"] as const, "fast"),
    token: optional("token", "a token", { env: "X_TOKEN" }),
    labels: keyValues("labels", "labels"),
  },
  {
    derive(o) {
      o.sub ||= `${o.dir}/sub`;
    },
    validate: (o) => (o.count > 10 && o.mode === "fast" ? ["--count: at most 10 when --mode=fast"] : []),
  },
);

describe("option tables", () => {
  it("fills defaults, derived ones after the rest", () => {
    expect(table.compile(table.parse([], { X_DIR: "/d" }))).toEqual({
      servers: ["a:1"],
      dir: "/d",
      sub: "/d/sub",
      count: 3,
      elect: true,
      mode: "fast",
      token: undefined,
      labels: {},
    });
  });

  it("reads flags over the environment, in every form the CLI accepts", () => {
    const o = table.compile(
      table.parse(["--server", "b:2,c:3", "--server=d:4", "--count=5", "--elect", "false", "--mode", "slow", "--labels", "k=v,bare"], {
        X_SERVERS: "z:9",
        X_TOKEN: "",
      }),
    );
    expect(o).toMatchObject({ servers: ["b:2", "c:3", "d:4"], count: 5, elect: false, mode: "slow", token: undefined, labels: { k: "v", bare: "" } });
    expect(table.compile(table.parse(["--elect"], {})).elect).toBe(true);
    expect(table.compile(table.parse(["--elect=f"], {})).elect).toBe(false);
  });

  it("lists every problem at once, each with its flag", () => {
    expect(() => table.compile(table.parse(["--server", "nohost", "--count", "x", "--mode", "medium"], {}))).toThrow(
      /invalid options:\n {2}--server: must be host:port.*"nohost"\n {2}--count: must be a positive number\n {2}--mode: must be fast or slow, got "medium"/,
    );
    expect(() => table.compile({ count: 11 })).toThrow("--count: at most 10 when --mode=fast");
  });

  it("refuses unknown flags and stray arguments", () => {
    expect(() => table.parse(["--nope"], {})).toThrow("unknown flag: --nope");
    expect(() => table.parse(["stray"], {})).toThrow('unexpected argument "stray"');
    expect(() => table.parse(["--elect=maybe"], {})).toThrow("strconv.ParseBool");
  });

  it("documents every flag with its default and environment variable", () => {
    const help = table.help();
    expect(help).toContain('--server=…\n      servers (default ["a:1"]) [$X_SERVERS]');
    expect(help).toContain("--elect\n      elect (default true)");
  });
});
