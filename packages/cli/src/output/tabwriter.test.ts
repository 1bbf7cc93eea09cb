import { describe, it, expect } from "vitest";
import { tabwrite } from "./tabwriter.js";

describe("tabwrite", () => {
  it("aligns a column over consecutive lines and restarts after a line without tabs", () => {
    // As in kubectl describe: "  IP:" lines up with the next top-level field, not with "Name:".
    const text = "Name:\tweb\nNamespace:\tdefault\nIPs:\n  IP:\t10.0.0.1\nControlled By:\tReplicaSet/web\n";
    expect(tabwrite(text, { minWidth: 0, padding: 2 })).toBe(
      "Name:       web\nNamespace:  default\nIPs:\n  IP:           10.0.0.1\nControlled By:  ReplicaSet/web\n",
    );
  });

  it("lays out nested columns like Go's tabwriter", () => {
    const text = "  Type\tReason\tAge\n  ----\t------\t---\n  Normal\tScheduled\t5s\n";
    expect(tabwrite(text, { minWidth: 0, padding: 2 })).toBe("  Type    Reason     Age\n  ----    ------     ---\n  Normal  Scheduled  5s\n");
  });

  it("aligns a second cell only among the lines that have it", () => {
    const text = "a:\tx\tlong-tail\nbbbb:\ty\ncc:\tz\tq\n";
    expect(tabwrite(text, { minWidth: 0, padding: 1 })).toBe("a:    x long-tail\nbbbb: y\ncc:   z q\n");
  });
});
