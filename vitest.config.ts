import { configDefaults, defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts"],
    // PostgreSQL-only files: collected only when DATABASE_URL names a server (a file without tests fails)
    exclude: [...configDefaults.exclude, ...(process.env.DATABASE_URL ? [] : ["packages/api/test/processes/load.process.test.ts"])],
    globalSetup: ["./vitest.global-setup.ts"],
    setupFiles: ["./vitest.setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Each file in a fresh process opens one database (packages/domain/test/lib/ServiceTest.ts) before its
    // tests and empties it per test or server. (isolate: false would share it across files, but some file
    // then leaves later files without their TestClock; see README, Tests.)
    // Spawned servers and CLIs leave the CPU idle while they start, so run more files than cores.
    maxWorkers: 3,
    minWorkers: 1,
    fakeTimers: { toFake: [] }
  }
})
