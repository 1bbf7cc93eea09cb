// Benchmarks: whole-cluster measurements printed as tables (npm run bench:*), kept out of the
// test suite. Each compares Skiff against a floor measured in the same run.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/bench/**/*.bench.test.ts"],
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 300_000,
  },
});
