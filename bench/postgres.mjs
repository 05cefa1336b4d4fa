// A PostgreSQL server for the bench, as .ci/run starts one: initdb into a temporary directory as the
// postgres user (when run as root), loopback only, fsync off. DATABASE_URL, when set, is used instead.
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const pgBin = () => {
  const root = "/usr/lib/postgresql"
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root).sort((a, b) => Number(a) - Number(b))
  return versions.length === 0 ? undefined : join(root, versions.at(-1), "bin")
}

const asPostgres = (args) => execFileSync("runuser", ["-u", "postgres", "--", ...args], { stdio: "pipe" })

/**
 * Resolves to { url, stop(), version } or undefined when no server can be had (not root, or no PostgreSQL
 * installed): the bench then measures the embedded database only.
 */
export const startPostgres = async (port) => {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, stop: () => {}, own: false }
  }
  const bin = pgBin()
  if (bin === undefined || process.getuid?.() !== 0 || spawnSync("id", ["postgres"]).status !== 0) return undefined
  const dir = mkdtempSync(join(tmpdir(), "clockme-bench-pg-"))
  execFileSync("chown", ["-R", "postgres:postgres", dir])
  execFileSync("chmod", ["755", dir])
  asPostgres([join(bin, "initdb"), "-D", join(dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
  const options = [
    `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}`,
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
    "-c shared_preload_libraries=pg_stat_statements"
  ].join(" ")
  asPostgres([join(bin, "pg_ctl"), "-D", join(dir, "data"), "-l", join(dir, "server.log"), "-w", "-t", "60", "start", "-o", options])
  asPostgres([join(bin, "psql"), "-h", dir, "-p", String(port), "-U", "postgres", "-d", "postgres", "-qc", "CREATE DATABASE clockme"])
  const stop = () => {
    spawnSync("runuser", ["-u", "postgres", "--", join(bin, "pg_ctl"), "-D", join(dir, "data"), "-m", "fast", "-w", "stop"])
    rmSync(dir, { recursive: true, force: true })
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/clockme`, stop, own: true }
}
