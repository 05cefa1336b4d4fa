import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { buildSnapshot } from "./packages/domain/test/lib/Snapshot.js"
import type { TestProject } from "vitest/node"

/** Tests that spawn the bins run the built JavaScript, so every run bundles it anew: a stale dist never passes. */
const bundle = () =>
  promisify(execFile)("npm", ["run", "bundle"], { cwd: import.meta.dirname, maxBuffer: 16 * 1024 * 1024 }).catch((error) => {
    throw new Error(`npm run bundle failed:\n${error.stdout ?? ""}\n${error.stderr ?? ""}`)
  })

/** One migrated embedded database image for the whole run: a fresh PGlite costs seconds of initdb. */
export default async function setup(project: TestProject) {
  const [snapshot] = await Promise.all([process.env.DATABASE_URL ? "" : buildSnapshot(), bundle()])
  project.provide("pgliteSnapshot", snapshot)
}
