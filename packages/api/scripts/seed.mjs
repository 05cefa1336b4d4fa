// Writes dist/pgdata-seed.tar.gz: an embedded database already initialized and migrated, which the
// server unpacks into a new data directory instead of running initdb and every migration on its first
// start. Built by `npm run build` after the bundle, and kept in node_modules/.cache keyed by the
// migrations and the PGlite version, so a rebuild that changes no migration costs nothing.
import { PGlite } from "@electric-sql/pglite"
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const dist = join(here, "../dist")
const migrations = join(here, "../../domain/src/sql")
const require = createRequire(import.meta.url)
const pgliteVersion = JSON.parse(readFileSync(join(dirname(require.resolve("@electric-sql/pglite")), "../package.json"), "utf8")).version

const hash = createHash("sha256").update(pgliteVersion)
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name)
    if (statSync(file).isDirectory()) walk(file)
    else hash.update(name).update(readFileSync(file))
  }
}
walk(migrations)
const cacheDir = join(here, "../../../node_modules/.cache/clockme-seed")
const cached = join(cacheDir, `${hash.digest("hex").slice(0, 16)}.tar.gz`)

if (!existsSync(cached)) {
  const dataDir = mkdtempSync(join(tmpdir(), "clockme-seed-"))
  try {
    execFileSync(process.execPath, [join(dist, "bin.js"), "migrate"], {
      env: { ...process.env, DATABASE_URL: "", CLOCKME_DATA_DIR: dataDir },
      stdio: ["ignore", "ignore", "inherit"]
    })
    const db = await PGlite.create({ dataDir: join(dataDir, "pgdata") })
    const image = Buffer.from(await (await db.dumpDataDir("gzip")).arrayBuffer())
    await db.close()
    mkdirSync(cacheDir, { recursive: true })
    writeFileSync(`${cached}.${process.pid}`, image)
    renameSync(`${cached}.${process.pid}`, cached)
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}
copyFileSync(cached, join(dist, "pgdata-seed.tar.gz"))
