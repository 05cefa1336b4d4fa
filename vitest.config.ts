import { configDefaults, defineConfig } from "vitest/config"

const onPostgres = Boolean(process.env.DATABASE_URL)

// PostgreSQL-only files: collected only when DATABASE_URL names a server (a file without tests fails).
const postgresOnly = ["packages/api/test/processes/load.process.test.ts"]

// Files whose subject is not the run's database: the servers they spawn always use an embedded data
// directory (api/test/lib/Process.ts), or they need no server (setup), or the server only receives the
// hooks of a packed CLI (pack). They run once, in the embedded run, instead of repeating the same
// processes when DATABASE_URL points at PostgreSQL.
const embeddedOnly = [
  "packages/api/test/cli.test.ts",
  "packages/api/test/durability.test.ts",
  "packages/sdk/test/setup.test.ts",
  "packages/sdk/test/pack.test.ts",
  "packages/sdk/test/outage.process.test.ts"
]

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts"],
    exclude: [...configDefaults.exclude, ...(onPostgres ? embeddedOnly : postgresOnly)],
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
