import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Suites spawn real processes (emulator, the pulumi CLI and engine, Pulumi's dynamic-provider host, the policy
    // analyzer); two cores, so keep the worker count low and the timeouts generous.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The JSON report lets .ci/run check that the end-to-end layer really ran (a CI run with no e2e test fails).
    reporters: ["default", "json"],
    outputFile: { json: ".tmp/vitest-results.json" },
  },
});
