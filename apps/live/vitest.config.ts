import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["../../scripts/vitest-tmp-guard.mjs"],
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 120_000,
    // One file at a time: the fault and process tests run accelerated clocks and child processes;
    // sharing two cores with each other (and with the other packages' suites) makes them slow for no gain.
    fileParallelism: false,
    reporters: ["default", "json"],
    outputFile: { json: "test-results.json" },
  },
});
