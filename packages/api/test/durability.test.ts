import { afterAll, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { request, startServer, tempDataDir } from "./lib/Process.js"
import type { RunningServer } from "./lib/Process.js"

/** A server killed without warning keeps every write it acknowledged. */
describe("durability of the embedded database", () => {
  const dataDir = tempDataDir("durability")
  let server: RunningServer | undefined
  afterAll(async () => {
    await server?.stop("SIGKILL")
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it("SIGKILL after acknowledged writes; a restart on the same directory has every one of them", async () => {
    server = await startServer(dataDir)
    const key = /ck_live_[A-Za-z0-9_-]{20,}/.exec(server.output())![0]
    const project = await request(server.base, "POST", "/api/projects", { key, body: { name: "Durable", hourlyRate: 90 } })
    expect(project.status).toBe(201)

    const hour = 3_600_000
    const start = Date.now() - 48 * hour
    const acknowledged: Array<string> = []
    // one after another, then a burst in parallel: each id is recorded only once the server answered 201
    for (let i = 0; i < 10; i++) {
      const reply = await request(server.base, "POST", "/api/entries", {
        key,
        body: { projectId: project.body.id, startTime: new Date(start + i * hour).toISOString(), durationMinutes: 30 }
      })
      expect(reply.status).toBe(201)
      acknowledged.push(reply.body.id)
    }
    const burst = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        request(server!.base, "POST", "/api/entries", {
          key,
          body: {
            projectId: project.body.id,
            startTime: new Date(start + (10 + i) * hour).toISOString(),
            durationMinutes: 15,
            idempotencyKey: `burst-${i}`
          }
        }))
    )
    for (const reply of burst) {
      expect(reply.status).toBe(201)
      acknowledged.push(reply.body.id)
    }
    const timer = await request(server.base, "POST", "/api/timer/start", { key, body: { projectName: "durable" } })
    expect(timer.status).toBe(200)
    const edited = await request(server.base, "PATCH", `/api/entries/${acknowledged[0]}`, { key, body: { description: "kept" } })
    expect(edited.status).toBe(200)

    const killed = await server.stop("SIGKILL")
    expect(killed.signal).toBe("SIGKILL")
    // the lock of the dead process is left behind, and must not stop the restart
    expect(fs.existsSync(path.join(dataDir, "clockme.lock"))).toBe(true)

    server = await startServer(dataDir)
    expect(server.output()).not.toContain("ck_live_")
    const list = await request(server.base, "GET", "/api/entries?limit=500", { key })
    expect(list.status).toBe(200)
    expect(list.body.entries.map((e: any) => e.id).sort()).toEqual([...acknowledged].sort())
    expect(list.body.entries.find((e: any) => e.id === acknowledged[0]).description).toBe("kept")
    const current = await request(server.base, "GET", "/api/timer/current", { key })
    expect(current.body.timers.map((t: any) => t.id)).toEqual([timer.body.id])
    // an idempotent retry after the crash still finds the first entry
    const retry = await request(server.base, "POST", "/api/entries", {
      key,
      body: { projectId: project.body.id, startTime: new Date(start + 10 * hour).toISOString(), durationMinutes: 15, idempotencyKey: "burst-0" }
    })
    expect(retry.body.id).toBe(burst[0]!.body.id)

    const finished = await server.stop("SIGTERM")
    expect(finished.code).toBe(0)
    server = undefined
  }, 420_000)
})
