import { availableParallelism } from "node:os"
import type { TestSpecification } from "vitest/node"
import { BaseSequencer } from "vitest/node"
import { configDefaults, defineConfig } from "vitest/config"

const onPostgres = Boolean(process.env.DATABASE_URL)

// One worker per core (2 to 4). More workers than cores, meant to fill the moments spawned processes leave
// the CPU idle, cost more than they filled: on this 2-core machine the PGlite run took 362 s of CPU with
// three workers and 262–302 s with two (each worker also opens its own database), and finished sooner.
// minWorkers equals maxWorkers: with fewer, a worker shut down when idle at the end of a run rejected its
// pending teardown ("Terminating worker thread") and failed the run.
const workers = Math.min(4, Math.max(2, availableParallelism()))

// PostgreSQL-only files: collected only when DATABASE_URL names a server (a file without tests fails).
const postgresOnly = ["packages/api/test/processes/load.process.test.ts"]

// Files whose subject is not the run's database: the servers they spawn always use an embedded data
// directory (api/test/lib/Process.ts), or they need no server (setup, schemas), or the server only receives
// the hooks of a packed CLI (pack) or doctor's few requests. They run once, in the embedded run, instead of repeating the same
// processes when DATABASE_URL points at PostgreSQL.
const embeddedOnly = [
  "packages/api/test/cli.test.ts",
  "packages/api/test/embedded-vacuum.clock.test.ts",
  "packages/api/test/durability.test.ts",
  "packages/api/test/data-dir-lock.test.ts",
  "packages/api/test/processes/lock.process.test.ts",
  "packages/api/test/docs.browser.test.ts",
  "packages/sdk/test/setup.test.ts",
  "packages/sdk/test/pack.test.ts",
  "packages/sdk/test/doctor.test.ts",
  "packages/sdk/test/schemas.test.ts",
  "packages/sdk/test/outage.process.test.ts"
]

// The files that take longest (spawned processes, generated requests), started first: on a fresh clone
// vitest has no timings to order by, and one of them started last keeps the run going alone.
const longest = [
  "packages/sdk/test/setup.test.ts",
  "packages/sdk/test/pack.test.ts",
  "packages/api/test/proof/fuzz.http.test.ts",
  "packages/api/test/integrations.http.test.ts",
  "packages/api/test/processes/load.process.test.ts",
  "packages/api/test/cli.test.ts",
  "packages/sdk/test/outage.process.test.ts",
  "packages/sdk/test/hook.test.ts",
  "packages/api/test/processes/faults.process.test.ts",
  "packages/api/test/proof/mcp-fuzz.http.test.ts",
  "packages/sdk/test/cli.test.ts",
  "packages/api/test/proof/matrix.http.test.ts",
  "packages/api/test/processes/two-servers.process.test.ts",
  "packages/api/test/processes/lock.process.test.ts",
  "packages/api/test/docs.browser.test.ts"
]

class LongestFirst extends BaseSequencer {
  override async sort(files: Array<TestSpecification>) {
    const rank = (file: TestSpecification) => {
      const at = longest.findIndex((name) => file.moduleId.endsWith(name))
      return at === -1 ? longest.length : at
    }
    return [...(await super.sort(files))].sort((a, b) => rank(a) - rank(b))
  }
}

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts"],
    exclude: [...configDefaults.exclude, ...(onPostgres ? embeddedOnly : postgresOnly)],
    globalSetup: ["./vitest.global-setup.ts"],
    setupFiles: ["./vitest.setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // The embedded database's WebAssembly on V8's baseline compiler only, as the clockme-server bin runs it
    // (packages/api/src/bin.ts): each worker's in-memory PGlite then costs less CPU, not more.
    poolOptions: { forks: { execArgv: ["--liftoff-only"] } },
    sequence: { sequencer: LongestFirst },
    // One process per worker runs many files (isolate: false): the modules it imported, and the database
    // it opened (packages/domain/test/lib/ServiceTest.ts, emptied per test or server), stay for the next
    // file, instead of a new process importing the server and restoring a database for every file.
    // vitest.setup.ts undoes what one file's @effect/vitest `layer` leaves on the shared `it`.
    isolate: false,
    maxWorkers: workers,
    minWorkers: workers,
    fakeTimers: { toFake: [] }
  }
})
