import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts"],
    globalSetup: ["./vitest.global-setup.ts"],
    setupFiles: ["./vitest.setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // One process per worker for the whole run: modules load once, and the worker's database (see
    // packages/domain/test/lib/ServiceTest.ts) is opened once and emptied per test or server.
    poolOptions: { forks: { isolate: false } },
    // Spawned servers and CLIs leave the CPU idle while they start, so run more files than cores.
    maxWorkers: 3,
    minWorkers: 1,
    fakeTimers: { toFake: [] }
  }
})
