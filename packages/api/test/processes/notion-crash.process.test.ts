import { afterAll, describe, expect, it } from "@effect/vitest"
import { createHmac, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as http from "node:http"
import { inject } from "vitest"
import { allEntries, ownerKey, pause, postgresDatabase, request, startServer, tempDataDir } from "../lib/Process.js"
import type { RunningServer } from "../lib/Process.js"

/**
 * Notion on loopback: records each call and keeps the pages it makes, which a query by ClockMe ID finds; with
 * `hang`, it makes the page and never answers (the server is killed before it hears back).
 */
const standIn = async () => {
  const calls: Array<{ method: string; path: string; body: string }> = []
  const pages: Array<{ id: string; entryId: string }> = []
  const state = { hang: false }
  const server = http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8")
      calls.push({ method: req.method ?? "", path: req.url ?? "", body })
      const json = (value: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(value))
      if (req.url?.endsWith("/query")) {
        const wanted = JSON.parse(body).filter.rich_text.equals
        const results = pages.filter((p) => p.entryId === wanted).map(({ id }) => ({ object: "page", id }))
        return json({ object: "list", results, has_more: false, next_cursor: null })
      }
      if (req.method === "POST") {
        const page = { id: `page-crash-${pages.length + 1}`, entryId: JSON.parse(body).properties["ClockMe ID"].rich_text[0].text.content }
        pages.push(page)
        if (state.hang) return
        return json({ object: "page", id: page.id })
      }
      json({ object: "page", id: req.url?.split("/").at(-1) })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as { port: number }).port
  return {
    calls,
    pages,
    state,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) })
  }
}

/**
 * The built server with the notion plugin: Notion's handshake answered 202 and an entry created, then the server
 * killed before its delivery fiber came round; after a restart the token is stored and the page made, once each.
 */
describe("Notion's handshake and an entry's page survive a crash before processing", () => {
  const serverUrl = process.env.DATABASE_URL
  const cleanups: Array<() => Promise<unknown>> = []
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
  })

  it("SIGKILL after the 202 and the entry, restart: one token, one page, and signed events get in", async () => {
    const dataDir = tempDataDir("notion-crash")
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }))
    const notion = await standIn()
    cleanups.push(notion.close)
    let env: Record<string, string> = {
      CLOCKME_SECRET_KEY: randomBytes(32).toString("base64"),
      CLOCKME_INTEGRATIONS: "webhooks,zapier,notion",
      CLOCKME_NOTION_API_URL: notion.url,
      // the killed server's lease on the delivery it was making runs out soon after the restart
      CLOCKME_DELIVERY_LEASE_SECONDS: "5"
    }
    if (serverUrl) {
      const database = await postgresDatabase(serverUrl, inject("pgTemplate"), "notion_crash")
      cleanups.push(database.drop)
      env = { ...env, DATABASE_URL: database.url }
    }
    // the fiber's first round runs at start, the next one in ten minutes: nothing processes meanwhile
    let server: RunningServer | undefined = await startServer(dataDir, 120_000, { ...env, CLOCKME_DELIVERY_INTERVAL_MS: "600000" })
    cleanups.push(() => server?.stop("SIGKILL") ?? Promise.resolve())
    const key = ownerKey(server)
    const connection = await request(server.base, "POST", "/api/integrations", {
      key,
      body: { integration: "notion", config: { dataSourceId: "ds-crash" }, secrets: { token: "ntn_crash" } }
    })
    expect(connection.status).toBe(201)
    const inbound = `/api/integrations/notion/inbound/${connection.body.id}/webhook`
    const handshake = await request(server.base, "POST", inbound, { body: { verification_token: "secret_crash" } })
    expect(handshake.status).toBe(202)
    const project = await request(server.base, "POST", "/api/projects", { key, body: { name: "crash-notion" } })
    const entry = await request(server.base, "POST", "/api/entries", {
      key,
      body: { projectId: project.body.id, startTime: "2026-06-01T09:00:00Z", durationMinutes: 30, description: "crash" }
    })
    expect(entry.status).toBe(201)
    await pause(1_000)
    expect(notion.calls).toHaveLength(0)
    expect((await server.stop("SIGKILL")).signal).toBe("SIGKILL")

    server = await startServer(dataDir, 120_000, env)
    const fingerprint = async () =>
      (await request(server!.base, "GET", "/api/integrations", { key })).body.connections[0].secretFingerprint
    for (let i = 0; i < 100 && notion.calls.length === 0; i++) await pause(200)
    await pause(2_000)
    expect(notion.calls.map((c) => [c.method, c.path])).toEqual([["POST", "/v1/data_sources/ds-crash/query"], ["POST", "/v1/pages"]])
    expect(JSON.parse(notion.calls[1]!.body).properties.Name).toEqual({ title: [{ text: { content: "crash" } }] })
    expect(await fingerprint()).not.toBe(connection.body.secretFingerprint)

    const event = JSON.stringify({ id: "evt-crash-1", type: "page.created", entity: { id: "p", type: "page" } })
    const signature = `sha256=${createHmac("sha256", "secret_crash").update(event).digest("hex")}`
    const signed = await fetch(`${server.base}${inbound}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-notion-signature": signature },
      body: event
    })
    expect(signed.status).toBe(202)
    expect(await allEntries(server.base, key)).toHaveLength(1)
    const log = await request(server.base, "GET", `/api/integrations/${connection.body.id}/deliveries`, { key })
    expect(log.body.filter((d: any) => d.eventType === "entry.created")).toMatchObject([{ state: "delivered", attempts: 1 }])

    // Notion makes the next entry's page, and the server dies before hearing back: after a restart the page is
    // found by its ClockMe ID and adopted, never made twice
    notion.state.hang = true
    const second = await request(server.base, "POST", "/api/entries", {
      key,
      body: { projectId: project.body.id, startTime: "2026-06-01T11:00:00Z", durationMinutes: 15, description: "lost answer" }
    })
    expect(second.status).toBe(201)
    for (let i = 0; i < 100 && notion.pages.length < 2; i++) await pause(100)
    expect(notion.pages.map((p) => p.entryId)).toEqual([entry.body.id, second.body.id])
    expect((await server.stop("SIGKILL")).signal).toBe("SIGKILL")
    notion.state.hang = false
    const before = notion.calls.length
    server = await startServer(dataDir, 120_000, env)
    for (let i = 0; i < 150 && notion.calls.length < before + 2; i++) await pause(200)
    await pause(2_000)
    expect(notion.calls.slice(before).map((c) => [c.method, c.path]))
      .toEqual([["POST", "/v1/data_sources/ds-crash/query"], ["PATCH", "/v1/pages/page-crash-2"]])
    expect(notion.pages).toHaveLength(2)
    const kept = await request(server.base, "GET", `/api/integrations/${connection.body.id}/deliveries`, { key })
    expect(kept.body.filter((d: any) => d.eventType === "entry.created")).toMatchObject([{ state: "delivered" }, { state: "delivered" }])
  }, 300_000)
})
