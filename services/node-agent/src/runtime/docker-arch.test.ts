import { describe, expect, it } from "vitest";
import { goArch } from "./docker-util.js";

describe("kubernetes.io/arch from the engine's architecture", () => {
  it("maps uname names to GOARCH", () => {
    expect(goArch("x86_64")).toBe("amd64");
    expect(goArch("aarch64")).toBe("arm64");
    expect(goArch("armv7l")).toBe("arm");
    expect(goArch("s390x")).toBe("s390x");
  });
});
