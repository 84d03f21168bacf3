import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    // One file at a time: the Temporal servers and worker processes of one file get the machine's
    // two cores to themselves, so timing-sensitive tests do not starve each other.
    fileParallelism: false,
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
  },
});
