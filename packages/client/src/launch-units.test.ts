// The systemd units of deploy/systemd start components without a launcher: they spell out the
// same node flags and environment as @skiff/client/launch, checked here so the two cannot drift.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { componentOf, nodeEnv, nodeFlags } from "./launch.js";

const dir = new URL("../../../deploy/systemd/", import.meta.url);
const units = readdirSync(dir).filter((f) => readFileSync(new URL(f, dir), "utf8").includes("ExecStart=/usr/bin/node "));

describe("deploy/systemd units", () => {
  it("run every Node.js component with the launcher's flags and environment", () => {
    expect(units.length).toBeGreaterThanOrEqual(4);
    for (const u of units) {
      const text = readFileSync(new URL(u, dir), "utf8");
      const m = /^ExecStart=\/usr\/bin\/node (.*?) (\/opt\/skiff\/\S+)/m.exec(text);
      expect(m?.[1].split(" "), u).toEqual(nodeFlags({}, componentOf(m?.[2])));
      for (const [k, v] of Object.entries(nodeEnv({}))) expect(text, u).toContain(`Environment=${k}=${v}`);
    }
  });
});
