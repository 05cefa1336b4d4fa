import { describe, expect, it } from "@effect/vitest"
import { createHmac, randomUUID } from "node:crypto"
import type { ConnectionId } from "@clockme/domain/contract/Integration"
import { InboundContexts } from "@clockme/domain/InboundContexts"
import { Connections } from "@clockme/domain/services/Connections"
import { Effect, TestClock } from "effect"
import { inboundServer } from "./lib/InboundServer.js"
import type { InboundServer } from "./lib/InboundServer.js"
import { receiver } from "./lib/Receiver.js"
import type { Received } from "./lib/Receiver.js"
import { call, signUp } from "./lib/TestServer.js"

const TOKEN = "ntn_standin_token"
const VERIFICATION = "secret_verification_standin_0123456789"
const DATA_SOURCE = "2a3b4c5d-0000-4000-8000-00000000da7a"

const send = (s: InboundServer, connectionId: string, raw: string, headers: Record<string, string>) =>
  Effect.promise(() =>
    fetch(`${s.base}/api/integrations/notion/inbound/${connectionId}/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: raw
    }).then(async (response) => ({ status: response.status, body: await response.json() as any }))
  )

const signed = (raw: string, secret = VERIFICATION) => ({
  "x-notion-signature": `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`
})

/** A page event as Notion sends it: a signal with the event id, its type and the page. */
const pageEvent = (id: string) =>
  JSON.stringify({
    id,
    timestamp: new Date().toISOString(),
    workspace_id: "ws-notion",
    subscription_id: "sub-1",
    integration_id: "int-1",
    type: "page.properties_updated",
    authors: [{ id: "person-1", type: "person" }],
    attempt_number: 1,
    entity: { id: "page-9", type: "page" },
    data: { parent: { id: DATA_SOURCE, type: "database" }, updated_properties: ["title"] }
  })

/** The properties of the "Design review" entry's page, started 2026-06-09T09:00Z. */
const page = (entryId: string, project: string, end: string, hours: number, billable: boolean) => ({
  Name: { title: [{ text: { content: "Design review" } }] },
  Date: { date: { start: "2026-06-09T09:00:00.000Z", end } },
  Hours: { number: hours },
  Project: { select: { name: project } },
  Billable: { checkbox: billable },
  "ClockMe ID": { rich_text: [{ text: { content: entryId } }] }
})

/** The body of a call Notion received, once its method, path, token and pinned version are checked. */
const sent = (call: Received, method: string, path: string) => {
  expect([call.method, call.path]).toEqual([method, path])
  expect(call.headers.authorization).toBe(`Bearer ${TOKEN}`)
  expect(call.headers["notion-version"]).toBe("2025-09-03")
  return JSON.parse(call.body)
}

const QUERY = `/v1/data_sources/${DATA_SOURCE}/query`
const list = (results: Array<{ id: string }>) =>
  JSON.stringify({ object: "list", results: results.map((r) => ({ object: "page", ...r })), has_more: false, next_cursor: null })

/** The query a create is preceded by: the data source's pages whose ClockMe ID is the entry's id. */
const lookup = (call: Received, entryId: string) =>
  expect(sent(call, "POST", QUERY)).toEqual({ filter: { property: "ClockMe ID", rich_text: { equals: entryId } }, page_size: 1 })

/** A new project and its "Design review" entry, 90 minutes from 2026-06-09T09:00Z. */
const designReview = (s: InboundServer) =>
  Effect.gen(function*() {
    const project = (yield* s.api("POST", "/api/projects", { name: `notion-${randomUUID().slice(0, 8)}` })).body
    const entry = (yield* s.api("POST", "/api/entries", {
      projectId: project.id,
      startTime: "2026-06-09T09:00:00Z",
      durationMinutes: 90,
      description: "Design review"
    })).body
    return { entry, project }
  })

const setUp = Effect.gen(function*() {
  const notion = yield* receiver
  notion.answer.mode = {
    status: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ object: "page", id: "page-1" })
  }
  // Notion's pages of the data source, as a query by ClockMe ID finds them: none unless a test keeps some
  notion.answer.byPath = (path) => path === QUERY ? { status: 200, headers: { "content-type": "application/json" }, body: list([]) } : undefined
  const s = yield* inboundServer({ CLOCKME_INTEGRATIONS: "webhooks,zapier,notion,github", CLOCKME_NOTION_API_URL: notion.url })
  const created = yield* s.api("POST", "/api/integrations", {
    integration: "notion",
    config: { dataSourceId: DATA_SOURCE },
    secrets: { token: TOKEN }
  })
  expect(created.status).toBe(201)
  return { notion, s, connection: created.body }
})

describe("Notion plugin over the real server, Notion played on loopback", () => {
  it.scoped("the handshake's token is kept sealed (a fingerprint in answers); later events need its signature and are deduplicated", () =>
    Effect.gen(function*() {
      const { connection, s } = yield* setUp
      const id = connection.id as string
      const event = pageEvent(randomUUID())

      // before the handshake nothing but the handshake gets in
      expect((yield* send(s, id, event, signed(event))).status).toBe(401)
      const handshake = JSON.stringify({ verification_token: VERIFICATION })
      const accepted = yield* send(s, id, handshake, {})
      expect(accepted.status).toBe(202)
      yield* s.deliver
      const listed = (yield* s.api("GET", "/api/integrations")).body
      const after = listed.connections.find((c: any) => c.id === id)
      expect(after.secretFingerprint).toEqual(expect.any(String))
      expect(after.secretFingerprint).not.toBe(connection.secretFingerprint)
      expect(JSON.stringify(after)).not.toContain(VERIFICATION)
      expect(JSON.stringify(listed)).not.toContain(VERIFICATION)
      // at rest: sealed in the connection, and the stored handshake request no longer holds it
      const rows = yield* s.query((sql) => sql`SELECT secrets FROM integration_connections WHERE id = ${id}`)
      expect(JSON.stringify(rows)).not.toContain(VERIFICATION)
      const stored = yield* s.query((sql) => sql`SELECT request::text AS request FROM integration_deliveries WHERE connection_id = ${id}`)
      expect(stored).toHaveLength(1)
      expect(stored[0]!.request).not.toContain(Buffer.from(handshake).toString("base64"))
      const log = (yield* s.api("GET", `/api/integrations/${id}/deliveries`)).body
      expect(log).toMatchObject([{ id: accepted.body.deliveryId, state: "delivered" }])
      // the audit log says the secrets changed, by no user (the server, for Notion), and never holds the token
      const audit = (yield* s.api("GET", `/api/audit?workspaceId=${s.user.activeWorkspaceId}`)).body.events
      expect(audit.map((e: any) => [e.type, e.targetId, e.actorUserId]).reverse()).toEqual([
        ["integration.connected", id, s.user.id],
        ["integration.secrets_changed", id, null]
      ])
      expect(JSON.stringify(audit)).not.toContain(VERIFICATION)

      // a second handshake cannot replace the token: it is not signed
      expect((yield* send(s, id, JSON.stringify({ verification_token: "secret_intruder" }), {})).status).toBe(401)

      const first = yield* send(s, id, event, signed(event))
      expect(first.status).toBe(202)
      expect((yield* send(s, id, event, signed(event))).body).toEqual({ deliveryId: first.body.deliveryId, duplicate: true })
      const tampered = event.replace("page.properties_updated", "page.deleted")
      expect((yield* send(s, id, tampered, signed(event))).status).toBe(401)
      expect((yield* send(s, id, event, signed(event, "secret_other"))).status).toBe(401)
      expect((yield* send(s, id, event, { "x-notion-signature": "sha256=zz" })).status).toBe(401)
      expect((yield* send(s, id, event, {})).status).toBe(401)
      expect((yield* send(s, randomUUID(), event, signed(event))).status).toBe(404)
      yield* s.deliver
      const deliveries = (yield* s.api("GET", `/api/integrations/${id}/deliveries`)).body
      expect(deliveries).toHaveLength(2)
      expect(deliveries.every((d: any) => d.state === "delivered")).toBe(true)
      const attempts = yield* s.query((sql) => sql`SELECT count(*)::int AS n FROM integration_attempts a
        JOIN integration_deliveries d ON d.id = a.delivery_id WHERE d.connection_id = ${id}`)
      expect(attempts).toEqual([{ n: 2 }])
    }))

  it.scoped("entries become pages (create, update, trash) with the pinned Notion-Version; a 429's Retry-After is honoured", () =>
    Effect.gen(function*() {
      const { connection, notion, s } = yield* setUp
      const { entry, project } = yield* designReview(s)
      yield* s.deliver
      expect(notion.received).toHaveLength(2)
      lookup(notion.received[0]!, entry.id)
      expect(sent(notion.received[1]!, "POST", "/v1/pages")).toEqual({
        parent: { type: "data_source_id", data_source_id: DATA_SOURCE },
        properties: page(entry.id, project.name, "2026-06-09T10:30:00.000Z", 1.5, true)
      })
      const kept = yield* s.query((sql) =>
        sql`SELECT entry_id, external_id FROM integration_external_ids WHERE connection_id = ${connection.id}`
      )
      expect(kept).toEqual([{ entryId: entry.id, externalId: "page-1" }])

      expect((yield* s.api("PATCH", `/api/entries/${entry.id}`, { durationMinutes: 45, billable: false })).status).toBe(200)
      yield* s.deliver
      expect(notion.received).toHaveLength(3)
      expect(sent(notion.received[2]!, "PATCH", "/v1/pages/page-1")).toEqual({ properties: page(entry.id, project.name, "2026-06-09T09:45:00.000Z", 0.75, false) })

      // Notion is busy: 429 with Retry-After 40 s, more than the first backoff; nothing is sent before it passes
      const ok = notion.answer.mode
      notion.answer.mode = {
        status: 429,
        headers: { "content-type": "application/json", "retry-after": "40" },
        body: JSON.stringify({ object: "error", status: 429, code: "rate_limited", message: "Slow down" })
      }
      expect((yield* s.api("DELETE", `/api/entries/${entry.id}`)).status).toBe(204)
      yield* s.deliver
      expect(notion.received).toHaveLength(4)
      const pending = (yield* s.api("GET", `/api/integrations/${connection.id}/deliveries?state=pending`)).body
      expect(pending).toMatchObject([{ lastStatus: 429 }])
      notion.answer.mode = ok
      yield* TestClock.adjust("30 seconds")
      yield* s.deliver
      expect(notion.received).toHaveLength(4)
      yield* TestClock.adjust("11 seconds")
      yield* s.deliver
      expect(notion.received).toHaveLength(5)
      expect(sent(notion.received[4]!, "PATCH", "/v1/pages/page-1")).toEqual({ in_trash: true })
      expect(yield* s.query((sql) => sql`SELECT 1 FROM integration_external_ids WHERE connection_id = ${connection.id}`))
        .toEqual([])
      const log = (yield* s.api("GET", `/api/integrations/${connection.id}/deliveries`)).body
      expect(log.map((d: any) => d.state)).toEqual(["delivered", "delivered", "delivered"])
    }))

  it.scoped("a page Notion made but whose answer was lost is found by its ClockMe ID on the retry and adopted: one page", () =>
    Effect.gen(function*() {
      const { connection, notion, s } = yield* setUp
      // Notion keeps the pages it makes; the first create's answer is lost (a proxy's 502): to ClockMe it failed
      const pages: Array<{ id: string; entryId: string }> = []
      let lose = true
      const json = { "content-type": "application/json" }
      notion.answer.byPath = (path, method) => {
        const body = JSON.parse(notion.received.at(-1)!.body || "{}")
        if (path === QUERY) {
          const wanted = body.filter.rich_text.equals
          return { status: 200, headers: json, body: list(pages.filter((p) => p.entryId === wanted).map(({ id }) => ({ id }))) }
        }
        if (method !== "POST" || path !== "/v1/pages") return undefined
        const made = { id: `page-${pages.length + 1}`, entryId: body.properties["ClockMe ID"].rich_text[0].text.content }
        pages.push(made)
        if (!lose) return { status: 200, headers: json, body: JSON.stringify({ object: "page", id: made.id }) }
        lose = false
        return { status: 502, headers: json, body: JSON.stringify({ object: "error", status: 502, code: "bad_gateway", message: "lost" }) }
      }
      const { entry, project } = yield* designReview(s)
      yield* s.deliver
      expect(pages).toHaveLength(1)
      expect((yield* s.api("GET", `/api/integrations/${connection.id}/deliveries`)).body).toMatchObject([{ state: "pending", lastStatus: 502 }])
      yield* TestClock.adjust("1 hour")
      yield* s.deliver

      expect(pages).toEqual([{ id: "page-1", entryId: entry.id }])
      expect(notion.received.map((r) => [r.method, r.path])).toEqual([
        ["POST", QUERY],
        ["POST", "/v1/pages"],
        ["POST", QUERY],
        ["PATCH", "/v1/pages/page-1"]
      ])
      lookup(notion.received[2]!, entry.id)
      expect(sent(notion.received[3]!, "PATCH", "/v1/pages/page-1"))
        .toEqual({ properties: page(entry.id, project.name, "2026-06-09T10:30:00.000Z", 1.5, true) })
      expect(yield* s.query((sql) => sql`SELECT external_id FROM integration_external_ids WHERE connection_id = ${connection.id}`))
        .toEqual([{ externalId: "page-1" }])
      const log = (yield* s.api("GET", `/api/integrations/${connection.id}/deliveries`)).body
      expect(log).toMatchObject([{ state: "delivered" }])
    }))

  it.scoped("wrong settings are a 400 naming the field; a body that is not the handshake is refused before it", () =>
    Effect.gen(function*() {
      const { connection, s } = yield* setUp
      const connect = (config: unknown, secrets: unknown) => s.api("POST", "/api/integrations", { integration: "notion", config, secrets })
      const empty = yield* connect({ dataSourceId: "" }, { token: TOKEN })
      expect([empty.status, empty.body.field]).toEqual([400, "config"])
      expect(empty.body.message).toContain("must be the id of a Notion data source")
      const padded = yield* connect({ dataSourceId: ` ${DATA_SOURCE}` }, { token: TOKEN })
      expect([padded.status, padded.body.field]).toEqual([400, "config"])
      expect(padded.body.message).toContain("no leading or trailing whitespace")
      const unknown = yield* connect({ dataSourceId: DATA_SOURCE, database: "x" }, { token: TOKEN })
      expect([unknown.status, unknown.body.field]).toEqual([400, "config"])
      const noToken = yield* connect({ dataSourceId: DATA_SOURCE }, {})
      expect([noToken.status, noToken.body.field]).toEqual([400, "secrets"])
      expect(noToken.body.message).toContain("token")
      for (const raw of ["not json", "{}", JSON.stringify({ verification_token: "" }), JSON.stringify({ verification_token: 7 })]) {
        expect((yield* send(s, connection.id, raw, {})).status).toBe(401)
      }
      expect((yield* s.api("GET", `/api/integrations/${connection.id}/deliveries`)).body).toEqual([])
    }))
})

describe("Notion: the handshake's token for the user to paste back", () => {
  const reveal = (s: InboundServer, id: string, key = s.key) =>
    call(s.base, "POST", `/api/integrations/${id}/verification-token/reveal`, { key })
  const connectionOf = (s: InboundServer, id: string) =>
    Effect.map(s.api("GET", "/api/integrations"), (r) => r.body.connections.find((c: any) => c.id === id))

  it.scoped("owners with a full key read it until a signed event is accepted, each time audited; members and narrower keys never", () =>
    Effect.gen(function*() {
      const { s } = yield* setUp
      // a shared workspace, so a member can try
      const ws = (yield* s.api("POST", "/api/workspaces", { name: "Agency" })).body.id as string
      expect((yield* s.api("POST", `/api/workspaces/${ws}/activate`)).status).toBe(200)
      const connection = yield* s.api("POST", "/api/integrations", {
        integration: "notion",
        config: { dataSourceId: DATA_SOURCE },
        secrets: { token: TOKEN }
      })
      const id = connection.body.id as string
      const before = yield* reveal(s, id)
      expect([before.status, before.body.reason]).toEqual([409, "not_received"])

      expect((yield* send(s, id, JSON.stringify({ verification_token: VERIFICATION }), {})).status).toBe(202)
      yield* s.deliver
      expect((yield* connectionOf(s, id)).inboundVerifiedAt).toBeNull()
      const shown = yield* reveal(s, id)
      expect([shown.status, shown.body]).toEqual([200, { verificationToken: VERIFICATION }])

      const writeKey = (yield* s.api("POST", "/api/keys", { label: "ci", scope: "write" })).body.secret
      const narrow = yield* reveal(s, id, writeKey)
      expect(narrow.status).toBe(403)
      expect(JSON.stringify(narrow.body)).not.toContain(VERIFICATION)
      const invite = (yield* s.api("POST", `/api/workspaces/${ws}/invites`, {})).body
      const member = yield* s.run(signUp())
      expect((yield* call(s.base, "POST", "/api/workspaces/join", { key: member.key, body: { code: invite.code } })).status).toBe(200)
      expect((yield* call(s.base, "POST", `/api/workspaces/${ws}/activate`, { key: member.key })).status).toBe(200)
      const refused = yield* reveal(s, id, member.key)
      expect(refused.status).toBe(403)
      expect(JSON.stringify(refused.body)).not.toContain(VERIFICATION)
      expect((yield* reveal(s, randomUUID())).status).toBe(404)

      const audit = (yield* s.api("GET", `/api/audit?workspaceId=${ws}`)).body.events
      expect(audit.filter((e: any) => e.type === "integration.verification_token_revealed").map((e: any) => [e.targetId, e.actorUserId]))
        .toEqual([[id, s.user.id]])
      expect(JSON.stringify(audit)).not.toContain(VERIFICATION)

      // Notion signs its first event with the pasted token: verified, and the token is never shown again
      const event = pageEvent(randomUUID())
      expect((yield* send(s, id, event, signed(event))).status).toBe(202)
      expect((yield* connectionOf(s, id)).inboundVerifiedAt).toEqual(expect.any(String))
      const after = yield* reveal(s, id)
      expect([after.status, after.body.reason]).toEqual([409, "verified"])
      expect(after.body.message).toContain("not shown again")
      expect(JSON.stringify(after.body)).not.toContain(VERIFICATION)

      // new secrets drop the token: a new subscription's handshake is taken, and its token can be shown
      expect((yield* s.api("PATCH", `/api/integrations/${id}`, { secrets: { token: TOKEN } })).status).toBe(200)
      expect((yield* connectionOf(s, id)).inboundVerifiedAt).toBeNull()
      expect((yield* reveal(s, id)).body.reason).toBe("not_received")

      // an integration that takes no such token says so
      const github = yield* s.api("POST", "/api/integrations", {
        integration: "github",
        config: { repositories: {} },
        secrets: { webhookSecret: "whsec", token: "ghp" }
      })
      expect(github.status).toBe(201)
      const unsupported = yield* reveal(s, github.body.id)
      expect([unsupported.status, unsupported.body.reason]).toEqual([409, "unsupported"])
    }))

  it.scoped("an owner's new token saved while the handshake is processed is kept: the handshake's token is merged into it", () =>
    Effect.gen(function*() {
      const { connection, notion, s } = yield* setUp
      const id = connection.id as string
      const handshake = JSON.stringify({ verification_token: VERIFICATION })
      const stored = yield* send(s, id, handshake, {})
      expect(stored.status).toBe(202)
      // the handshake's processing has read the connection (the old secrets) when the owner saves a new token
      const found = yield* s.run(Effect.flatMap(Connections, (c) => c.resolveById("notion", id as ConnectionId)))
      const NEW_TOKEN = "ntn_replaced_by_the_owner"
      expect((yield* s.api("PATCH", `/api/integrations/${id}`, { secrets: { token: NEW_TOKEN } })).status).toBe(200)
      const request = { method: "POST", headers: { "content-type": "application/json" }, rawBody: new TextEncoder().encode(handshake) }
      const handled = yield* s.run(Effect.flatMap(InboundContexts, (contexts) =>
        found.plugin.inbound![0]!.handle(request, found.connection, contexts.make(found.plugin, found.connection, stored.body.deliveryId))
      ).pipe(Effect.provide(InboundContexts.Default)))
      expect(handled).toEqual({ status: 200, body: { verified: true } })

      expect((yield* reveal(s, id)).body).toEqual({ verificationToken: VERIFICATION })
      const project = (yield* s.api("POST", "/api/projects", { name: `notion-${randomUUID().slice(0, 8)}` })).body
      yield* s.api("POST", "/api/entries", { projectId: project.id, startTime: "2026-06-09T09:00:00Z", durationMinutes: 30 })
      yield* s.deliver
      expect(notion.received.map((r) => r.headers.authorization)).toEqual([`Bearer ${NEW_TOKEN}`, `Bearer ${NEW_TOKEN}`])
    }))
})
