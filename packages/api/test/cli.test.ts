import { afterAll, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { request, runCli, runCliViaNpx, startServer, tempDataDir } from "./lib/Process.js"
import type { RunningServer } from "./lib/Process.js"

/**
 * The clockme-server bin as a user runs it: `serve` on a fresh data directory, the CLI commands next to
 * it, and a restart. One data directory and as few starts as possible (each costs seconds).
 */
/** Spawned processes boot TypeScript and the embedded database: seconds each, more on a busy machine. */
const SLOW = 300_000

describe("clockme-server, spawned", () => {
  const dataDir = tempDataDir("cli")
  const lockFile = path.join(dataDir, "clockme.lock")
  const holderPid = () => JSON.parse(fs.readFileSync(lockFile, "utf8")).pid
  let server: RunningServer | undefined
  afterAll(async () => {
    await server?.stop("SIGKILL")
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  let ownerKey = ""
  let accountKey = ""
  let readKey = ""

  it("first start prints the owner's key once with the quickstart curls filled in, and they work", async () => {
    server = await startServer(dataDir)
    const out = server.output()
    const keys = [...out.matchAll(/ck_live_[A-Za-z0-9_-]{20,}/g)].map((m) => m[0])
    expect(keys.length).toBeGreaterThan(0)
    ownerKey = keys[0]!
    expect(new Set(keys)).toEqual(new Set([ownerKey]))
    expect(out).toContain(`curl -X POST ${server.base}/api/timer/start`)
    expect(out).toContain(`curl ${server.base}/api/timer/current`)
    expect(out).toContain(`curl -X POST ${server.base}/api/timer/stop`)
    expect(out).toContain(`-H "Authorization: Bearer ${ownerKey}"`)
    expect(out).toContain(`-H "Content-Length: 0"`)
    const body = /-d '(\{[^']+\})'/.exec(out)
    expect(body).not.toBeNull()
    const startBody = JSON.parse(body![1]!)
    expect(startBody).toMatchObject({ projectName: "my-project" })

    // the three commands, as printed
    const started = await request(server.base, "POST", "/api/timer/start", { key: ownerKey, body: startBody })
    expect(started.status).toBe(200)
    expect(started.body).toMatchObject({ projectId: startBody.fallbackProjectId, projectName: "my-project" })
    const current = await request(server.base, "GET", "/api/timer/current", { key: ownerKey })
    expect(current.body.timers).toHaveLength(1)
    const stopped = await request(server.base, "POST", "/api/timer/stop", {
      key: ownerKey,
      headers: { "content-length": "0" }
    })
    expect(stopped.status).toBe(200)
    expect(stopped.body.projectId).toBe(startBody.fallbackProjectId)

    const me = await request(server.base, "GET", "/api/me", { key: ownerKey })
    expect(me.body).toMatchObject({ scope: "full", user: { email: "owner@clockme.local" } })

    // the set-password link printed beside the key works once, and the password then signs in
    const links = [...out.matchAll(/(http:\/\/\S+)\/set-password#token=([A-Za-z0-9_-]+)/g)]
    expect(links.map((link) => link[1])).toEqual([server.base])
    const set = { token: links[0]![2]!, password: "the owner's passphrase" }
    expect((await request(server.base, "POST", "/api/session/password", { body: set })).status).toBe(204)
    expect((await request(server.base, "POST", "/api/session/password", { body: set })).status).toBe(400)
    const signedIn = await request(server.base, "POST", "/api/session", {
      body: { email: "owner@clockme.local", password: set.password }
    })
    expect(signedIn.status).toBe(200)
    expect(out).not.toContain(set.password)
    expect(holderPid()).toBe(server.pid)
  }, SLOW)

  it("while the server holds the data directory, the CLI refuses and names its pid", async () => {
    const refused = await runCli(["accounts", "create", "--email", "late@example.com"], dataDir)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`pid ${server!.pid}`)
    expect(refused.stderr).toContain(dataDir)
    expect(refused.stdout).not.toContain("ck_live_")
    // the server is untouched and still owns the lock
    expect(holderPid()).toBe(server!.pid)
    const me = await request(server!.base, "GET", "/api/me", { key: ownerKey })
    expect(me.status).toBe(200)
  }, SLOW)

  it("SIGTERM shuts the server down with exit code 0 and removes the lock", async () => {
    const finished = await server!.stop("SIGTERM")
    expect(finished.code).toBe(0)
    expect(fs.existsSync(lockFile)).toBe(false)
    server = undefined
  }, SLOW)

  it("migrate, accounts create and keys create print JSON (and only JSON) with a usable key", async () => {
    const migrated = await runCliViaNpx(["migrate"], dataDir)
    expect(migrated.code).toBe(0)
    expect(JSON.parse(migrated.stdout)).toEqual({ applied: [] })
    const badPlan = await runCli(["accounts", "create", "--email", "x@example.com", "--plan", "gold"], dataDir)
    expect(badPlan.code).toBe(2)
    expect(badPlan.stderr).toContain("free, pro, team")
    const account = await runCli(["accounts", "create", "--email", "dev@example.com", "--name", "Dev", "--plan", "pro"], dataDir)
    expect(account.stderr).not.toMatch(/error/i)
    expect(account.code).toBe(0)
    const created = JSON.parse(account.stdout)
    const link = await runCli(["accounts", "set-password", "--email", "DEV@example.com", "--url", "https://time.example.com/"], dataDir)
    expect(link.code).toBe(0)
    expect(link.stdout).toMatch(/^ {2}https:\/\/time\.example\.com\/set-password#token=[A-Za-z0-9_-]{43}$/m)
    const noAccount = await runCli(["accounts", "set-password", "--email", "nobody@example.com"], dataDir)
    expect(noAccount.code).toBe(1)
    expect(noAccount.stderr).toContain("No account with the email nobody@example.com")
    expect(created.user).toMatchObject({ email: "dev@example.com", name: "Dev", plan: "pro" })
    expect(created.apiKey.key).toMatchObject({ scope: "full", userId: created.user.id })
    expect(created.apiKey.secret).toMatch(/^ck_live_/)
    accountKey = created.apiKey.secret

    const key = await runCli(["keys", "create", "--email", "dev@example.com", "--scope", "read", "--label", "ci"], dataDir)
    expect(key.code).toBe(0)
    const issued = JSON.parse(key.stdout)
    expect(issued.key).toMatchObject({ scope: "read", label: "ci", userId: created.user.id })
    expect(issued.secret).toMatch(/^ck_live_/)
    readKey = issued.secret
    expect(fs.existsSync(lockFile)).toBe(false)
  }, SLOW)

  it("a second start prints no key; the CLI's keys and the owner's work against it", async () => {
    server = await startServer(dataDir)
    expect(server.output()).not.toContain("ck_live_")
    expect(server.output()).not.toContain("curl")

    const me = await request(server.base, "GET", "/api/me", { key: accountKey })
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({ scope: "full", user: { email: "dev@example.com", plan: "pro" } })
    const read = await request(server.base, "GET", "/api/projects", { key: readKey })
    expect(read.status).toBe(200)
    const denied = await request(server.base, "POST", "/api/projects", { key: readKey, body: { name: "Nope" } })
    expect(denied.status).toBe(403)
    expect(denied.body.required).toBe("write")

    const ownerEntries = await request(server.base, "GET", "/api/entries", { key: ownerKey })
    expect(ownerEntries.status).toBe(200)
    expect(ownerEntries.body.entries).toHaveLength(1)

    // What the built server imports on first use (its own chunks): the docs page, the OpenAPI document, MCP.
    const docs = await fetch(`${server.base}/api/docs`)
    expect(docs.status).toBe(200)
    const page = await docs.text()
    expect(page).toContain("ClockMe API")
    expect(page.length).toBeGreaterThan(1_000_000)
    const openapi = await request(server.base, "GET", "/api/openapi")
    expect(openapi.body.openapi).toMatch(/^3\.1\./)
    const tools = await request(server.base, "POST", "/api/mcp", {
      key: ownerKey,
      body: { jsonrpc: "2.0", id: 1, method: "tools/list" }
    })
    expect(tools.status).toBe(200)
    expect(tools.body.result.tools).toHaveLength(20)

    const finished = await server.stop("SIGINT")
    expect(finished.code).toBe(0)
    expect(fs.existsSync(lockFile)).toBe(false)
    server = undefined
  }, SLOW)
})
