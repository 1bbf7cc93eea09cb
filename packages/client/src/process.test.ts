import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { isAlive } from "./process.js";

describe("isAlive", () => {
  it("counts a running process as alive and an exited, unreaped one (a zombie) as gone", async () => {
    // `exec sleep` never waits for the shell's background child, so that child stays a zombie.
    const sh = spawn("sh", ["-c", "sleep 0 & echo $!; exec sleep 5"]);
    try {
      const pid = Number(await new Promise<string>((r) => sh.stdout.once("data", (d) => r(String(d)))));
      expect(isAlive(sh.pid!)).toBe(true);
      let gone = false;
      for (let i = 0; i < 50 && !gone; i++) {
        gone = !isAlive(pid);
        if (!gone) await new Promise((r) => setTimeout(r, 20));
      }
      expect(gone).toBe(true);
      // It is still there to signal: only its state says it has exited.
      expect(() => process.kill(pid, 0)).not.toThrow();
    } finally {
      sh.kill();
    }
  });
});
