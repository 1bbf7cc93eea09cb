// The full chaos sequence (npm run chaos): test/chaos/*.chaos.test.ts, kept out of `npm test`
// (whose bounded chaos test is test/integration/chaos.int.test.ts).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/chaos/**/*.chaos.test.ts"],
    fileParallelism: false,
    testTimeout: 1_800_000,
    hookTimeout: 900_000,
    env: { TESTCONTAINERS_RYUK_DISABLED: "true" },
  },
});
