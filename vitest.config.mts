import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Suites spawn real processes (emulator, Pulumi's dynamic-provider host, the policy analyzer);
    // two cores, so keep the worker count low and the timeouts generous.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
