import { afterAll, describe, expect, it } from "@effect/vitest"
import { createHmac, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import { inject } from "vitest"
import { allEntries, ownerKey, pause, postgresDatabase, request, startServer, tempDataDir } from "../lib/Process.js"
import type { RunningServer } from "../lib/Process.js"

/**
 * The built server with the example plugin loaded by name: a webhook answered 202 and then the server
 * killed before its delivery fiber came round; after a restart the stored delivery is processed, once.
 */
describe("an inbound delivery survives a crash between the answer and the processing", () => {
  const serverUrl = process.env.DATABASE_URL
  const cleanups: Array<() => Promise<unknown>> = []
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
  })

  it("SIGKILL after the 202, restart: the entry is logged once, a redelivery adds nothing", async () => {
    const dataDir = tempDataDir("inbound-crash")
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }))
    let env: Record<string, string> = {
      CLOCKME_SECRET_KEY: randomBytes(32).toString("base64"),
      CLOCKME_INTEGRATIONS: "webhooks,zapier,example"
    }
    if (serverUrl) {
      const database = await postgresDatabase(serverUrl, inject("pgTemplate"), "inbound_crash")
      cleanups.push(database.drop)
      env = { ...env, DATABASE_URL: database.url }
    }
    // the fiber's first round runs at start, the next one in ten minutes: nothing processes the delivery meanwhile
    let server: RunningServer | undefined = await startServer(dataDir, 120_000, { ...env, CLOCKME_DELIVERY_INTERVAL_MS: "600000" })
    cleanups.push(() => server?.stop("SIGKILL") ?? Promise.resolve())
    const key = ownerKey(server)
    const connection = await request(server.base, "POST", "/api/integrations", {
      key,
      body: { integration: "example", config: { url: "https://93.184.216.34/hook" }, secrets: { token: "t0ps3cret" } }
    })
    expect(connection.status).toBe(201)
    const project = await request(server.base, "POST", "/api/projects", { key, body: { name: "crash-inbound" } })
    const me = await request(server.base, "GET", "/api/me", { key })
    const command = {
      user: "gh-ada",
      email: me.body.user.email,
      log: { projectId: project.body.id, startTime: "2026-06-01T09:00:00Z", durationMinutes: 25, description: "crash" }
    }
    const send = (base: string) =>
      request(base, "POST", `/api/integrations/example/inbound/${connection.body.id}/command`, {
        body: command,
        headers: {
          "x-example-signature": createHmac("sha256", "t0ps3cret").update(JSON.stringify(command)).digest("hex"),
          "x-example-delivery": "crash-1"
        }
      })
    const accepted = await send(server.base)
    expect(accepted.status).toBe(202)
    await pause(1_000)
    expect(await allEntries(server.base, key)).toHaveLength(0)
    expect((await server.stop("SIGKILL")).signal).toBe("SIGKILL")

    server = await startServer(dataDir, 120_000, env)
    let entries: Array<any> = []
    for (let i = 0; i < 100 && entries.length === 0; i++) {
      await pause(200)
      entries = await allEntries(server.base, key)
    }
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ description: "crash", durationSeconds: 1500, source: "integration" })
    const again = await send(server.base)
    expect(again.body).toEqual({ deliveryId: accepted.body.deliveryId, duplicate: true })
    await pause(2_000)
    expect(await allEntries(server.base, key)).toHaveLength(1)
    const log = await request(server.base, "GET", `/api/integrations/${connection.body.id}/deliveries`, { key })
    expect(log.body).toHaveLength(1)
    expect(log.body[0]).toMatchObject({ id: accepted.body.deliveryId, state: "delivered", attempts: 1 })
  }, 300_000)
})
