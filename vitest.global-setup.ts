import { buildSnapshot } from "./packages/domain/test/lib/Snapshot.js"
import type { TestProject } from "vitest/node"

/** One migrated embedded database image for the whole run: a fresh PGlite costs seconds of initdb. */
export default async function setup(project: TestProject) {
  project.provide("pgliteSnapshot", process.env.DATABASE_URL ? "" : await buildSnapshot())
}
