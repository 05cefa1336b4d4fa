import { PGlite } from "@electric-sql/pglite"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { pgliteLayer, runMigrations } from "../../src/sql/Database.js"

const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src/sql")

const fingerprint = () => {
  const hash = createHash("sha256")
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const file = path.join(dir, name)
      if (fs.statSync(file).isDirectory()) walk(file)
      else hash.update(name).update(fs.readFileSync(file))
    }
  }
  walk(migrationsDir)
  return hash.digest("hex").slice(0, 16)
}

/** Builds (or reuses, keyed by the migrations' content) a migrated PGlite image and returns its path. */
export const buildSnapshot = async (): Promise<string> => {
  const file = path.join(os.tmpdir(), `clockme-pglite-${fingerprint()}.tar`)
  if (fs.existsSync(file)) return file
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clockme-snapshot-"))
  await Effect.runPromise(runMigrations.pipe(Effect.provide(pgliteLayer({ dataDir: dir }))))
  const db = await PGlite.create({ dataDir: dir })
  const image = await db.dumpDataDir("none")
  await db.close()
  const tmp = `${file}.${process.pid}`
  fs.writeFileSync(tmp, Buffer.from(await image.arrayBuffer()))
  fs.renameSync(tmp, file)
  fs.rmSync(dir, { recursive: true, force: true })
  return file
}
