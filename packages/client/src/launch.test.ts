// The node command line every launcher builds for a component: the default V8 flags, which this
// Node.js accepts, and SKIFF_NODE_FLAGS in their place when set.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { nodeCommand, nodeFlags } from "./launch.js";

describe("nodeCommand", () => {
  it("runs node with the default flags before the main and its arguments", () => {
    const c = nodeCommand("/x/main.js", ["--a", "1"], {});
    expect(c.command).toBe(process.execPath);
    expect(c.args).toEqual([...nodeFlags({}), "/x/main.js", "--a", "1"]);
    expect(nodeFlags({}).length).toBeGreaterThan(0);
  });

  it("takes SKIFF_NODE_FLAGS instead of the defaults (empty: none)", () => {
    expect(nodeFlags({ SKIFF_NODE_FLAGS: " --max-semi-space-size=8  --stack-size=900 " })).toEqual(["--max-semi-space-size=8", "--stack-size=900"]);
    expect(nodeCommand("/x/main.js", [], { SKIFF_NODE_FLAGS: "" }).args).toEqual(["/x/main.js"]);
  });

  it("uses flags this Node.js accepts", () => {
    const r = spawnSync(process.execPath, [...nodeFlags({}), "-e", "process.stdout.write('ok')"], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("ok");
  });
});
