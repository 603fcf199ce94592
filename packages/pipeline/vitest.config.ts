import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["../../scripts/vitest-tmp-guard.mjs"],
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default", "json"],
    outputFile: { json: "test-results.json" },
  },
});
