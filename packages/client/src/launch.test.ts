// The node command line every launcher builds for a component: the default V8 flags, which this
// Node.js accepts, and SKIFF_NODE_FLAGS in their place when set.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { componentOf, nodeCommand, nodeEnv, nodeFlags } from "./launch.js";

describe("nodeCommand", () => {
  it("runs node with the default flags before the main and its arguments", () => {
    const c = nodeCommand("/x/main.js", ["--a", "1"], {});
    expect(c.command).toBe(process.execPath);
    expect(c.args).toEqual([...nodeFlags({}), "/x/main.js", "--a", "1"]);
    expect(c.env.MALLOC_ARENA_MAX).toBe("2");
    expect(nodeFlags({}).length).toBeGreaterThan(0);
  });

  it("gives the apiserver its own flags, found from its main", () => {
    expect(componentOf("/repo/services/apiserver/dist/main.js")).toBe("apiserver");
    expect(componentOf("/x/main.js")).toBeUndefined();
    const api = nodeCommand("/repo/services/apiserver/dist/main.js", [], {}).args;
    expect(api).toContain("--max-semi-space-size=8");
    expect(nodeCommand("/repo/services/dns/dist/main.js", [], {}).args).toContain("--max-semi-space-size=2");
    expect(nodeFlags({ SKIFF_NODE_FLAGS: "--x" }, "apiserver")).toEqual(["--x"]);
    // The Ingress controller's throughput needs V8's own young generation (bench:ingress).
    expect(nodeCommand("/repo/services/ingress/dist/main.js", [], {}).args.some((a) => a.startsWith("--max-semi-space-size"))).toBe(false);
  });

  it("takes SKIFF_NODE_FLAGS instead of the defaults (empty: none)", () => {
    expect(nodeFlags({ SKIFF_NODE_FLAGS: " --max-semi-space-size=8  --stack-size=900 " })).toEqual(["--max-semi-space-size=8", "--stack-size=900"]);
    expect(nodeCommand("/x/main.js", [], { SKIFF_NODE_FLAGS: "" }).args).toEqual(["/x/main.js"]);
  });

  it("adds its environment where the launcher's sets nothing", () => {
    expect(nodeEnv({ PATH: "/bin" })).toEqual({ PATH: "/bin", MALLOC_ARENA_MAX: "2" });
    expect(nodeEnv({ MALLOC_ARENA_MAX: "8" }).MALLOC_ARENA_MAX).toBe("8");
  });

  it("prints the flags when run as a script (for the images' shell entrypoints)", () => {
    const script = new URL("../dist/launch.js", import.meta.url).pathname;
    expect(spawnSync(process.execPath, [script, "apiserver"], { encoding: "utf8", env: { ...process.env, SKIFF_NODE_FLAGS: undefined } }).stdout).toBe(
      nodeFlags({}, "apiserver").join(" ") + "\n",
    );
    const r = spawnSync(process.execPath, [script], {
      encoding: "utf8",
      env: { ...process.env, SKIFF_NODE_FLAGS: "--a --b" },
    });
    expect(r.stdout).toBe("--a --b\n");
  });

  it("uses flags this Node.js accepts", () => {
    for (const flags of [nodeFlags({}), nodeFlags({}, "apiserver")]) {
      const r = spawnSync(process.execPath, [...flags, "-e", "process.stdout.write('ok')"], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe("ok");
    }
  });
});
