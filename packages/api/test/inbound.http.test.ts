import { describe, expect, it } from "@effect/vitest"
import { createHmac, randomUUID } from "node:crypto"
import { Effect, TestClock } from "effect"
import { inboundServer } from "./lib/InboundServer.js"
import type { InboundServer } from "./lib/InboundServer.js"
import { call } from "./lib/TestServer.js"

/** An example connection with the signing token, and a project to log on. */
const connect = (s: InboundServer) =>
  Effect.gen(function*() {
    const created = yield* s.api("POST", "/api/integrations", {
      integration: "example",
      config: { url: "https://93.184.216.34/hook" },
      secrets: { token: "t0ps3cret" }
    })
    expect(created.status).toBe(201)
    const project = yield* s.api("POST", "/api/projects", { name: `inbound-${randomUUID().slice(0, 8)}` })
    expect(project.status).toBe(201)
    const send = (body: unknown, delivery: string | undefined, signature?: string) => {
      const raw = JSON.stringify(body)
      const headers: Record<string, string> = {
        "x-example-signature": signature ?? createHmac("sha256", "t0ps3cret").update(raw).digest("hex")
      }
      if (delivery !== undefined) headers["x-example-delivery"] = delivery
      return call(s.base, "POST", `/api/integrations/example/inbound/${created.body.id}/command`, { rawBody: raw, headers })
    }
    return { id: created.body.id as string, projectId: project.body.id as string, send }
  })

const entries = (s: InboundServer) => Effect.map(s.api("GET", "/api/entries?limit=100"), (reply) => reply.body.entries as Array<any>)

const deliveryRow = (s: InboundServer, id: string) =>
  Effect.map(
    s.query((sql) => sql<{ state: string; lastError: string | null }>`SELECT state, last_error FROM integration_deliveries WHERE id = ${id}`),
    (rows) => rows[0]!
  )

describe("inbound deliveries act as the mapped member", () => {
  it.scoped("a verified delivery is stored and answered, then processed once: redelivered, tampered, unmapped, twice", () =>
    Effect.gen(function*() {
      const s = yield* inboundServer()
      const c = yield* connect(s)
      const log = { projectId: c.projectId, startTime: "2026-01-01T10:00:00Z", durationMinutes: 30, description: "via example" }
      const command = { user: "ext-1", email: s.user.email.toUpperCase(), log }

      const accepted = yield* c.send(command, "delivery-1")
      expect(accepted.status).toBe(202)
      expect(accepted.body.deliveryId).toMatch(/^[0-9a-f-]{36}$/)
      expect(yield* entries(s)).toHaveLength(0)

      yield* s.deliver
      const logged = yield* entries(s)
      expect(logged).toHaveLength(1)
      expect(logged[0]).toMatchObject({ durationSeconds: 1800, description: "via example", source: "integration" })
      const done = yield* s.query((sql) => sql<{ state: string; response: string }>`
        SELECT d.state, a.response FROM integration_deliveries d JOIN integration_attempts a ON a.delivery_id = d.id
        WHERE d.id = ${accepted.body.deliveryId}`)
      expect(done).toHaveLength(1)
      expect(done[0]!.state).toBe("delivered")
      expect(JSON.parse(done[0]!.response)).toMatchObject({ mappedBy: "email", actedAs: s.user.id })

      // the provider sends it again: answered, not stored again, nothing changes
      const again = yield* c.send(command, "delivery-1")
      expect(again.status).toBe(200)
      expect(again.body).toEqual({ deliveryId: accepted.body.deliveryId, duplicate: true })
      yield* s.deliver
      expect(yield* entries(s)).toHaveLength(1)

      // a tampered body under the old signature is refused and stores nothing
      const tampered = yield* c.send({ ...command, log: { ...log, durationMinutes: 300 } }, "delivery-2", createHmac("sha256", "t0ps3cret").update(JSON.stringify(command)).digest("hex"))
      expect(tampered.status).toBe(401)
      const stored = yield* s.query((sql) => sql`SELECT id FROM integration_deliveries WHERE connection_id = ${c.id}`)
      expect(stored).toHaveLength(1)

      // processing a delivery a second time (a server died before settling it) changes nothing
      yield* s.query((sql) => sql`
        UPDATE integration_deliveries SET state = 'pending', next_attempt_at = now() - interval '1 minute'
        WHERE id = ${accepted.body.deliveryId}`)
      yield* s.deliver
      expect((yield* deliveryRow(s, accepted.body.deliveryId)).state).toBe("delivered")
      expect(yield* entries(s)).toHaveLength(1)

      // a user nobody mapped, without an email: acknowledged, logged as skipped with the reason, nothing changes
      const unmapped = yield* c.send({ user: "ghost", log }, "delivery-3")
      expect(unmapped.status).toBe(202)
      yield* s.deliver
      const skipped = yield* deliveryRow(s, unmapped.body.deliveryId)
      expect(skipped.state).toBe("skipped")
      expect(skipped.lastError).toContain(`example user "ghost" is not mapped to a member of this workspace`)
      expect(yield* entries(s)).toHaveLength(1)
    }))

  it.scoped("a domain refusal ends the delivery as skipped; deliveries of a connection are processed in order", () =>
    Effect.gen(function*() {
      const s = yield* inboundServer()
      const c = yield* connect(s)
      const missing = { projectId: randomUUID(), startTime: "2026-01-01T10:00:00Z", durationMinutes: 5 }
      const refused = yield* c.send({ user: "ext-1", email: s.user.email, log: missing }, "r-1")
      const later = [1, 2, 3].map((i) => ({
        user: "ext-1",
        email: s.user.email,
        log: { projectId: c.projectId, startTime: `2026-01-0${i}T10:00:00Z`, durationMinutes: i, description: `n${i}` }
      }))
      for (const [i, command] of later.entries()) expect((yield* c.send(command, `o-${i}`)).status).toBe(202)
      yield* s.deliver
      const row = yield* deliveryRow(s, refused.body.deliveryId)
      expect(row.state).toBe("skipped")
      expect(row.lastError).toMatch(/project/i)
      // the order the entries were written in: the stream's
      const order = yield* s.query((sql) => sql<{ payload: string }>`
        SELECT payload::text AS payload FROM outbox WHERE type = 'EntryCreated' AND workspace_id = ${s.user.activeWorkspaceId}
        ORDER BY xid, seq`)
      expect(order.map((e) => JSON.parse(e.payload).entry.description)).toEqual(["n1", "n2", "n3"])
    }))

  it.scoped("owners map external identities by email or user id; non-members are refused; the log shows what was skipped", () =>
    Effect.gen(function*() {
      const s = yield* inboundServer()
      const c = yield* connect(s)
      const base = `/api/integrations/${c.id}/identities`
      const stranger = `stranger-${randomUUID()}@example.com`
      const byStrangerEmail = yield* s.api("POST", base, { externalId: "octo", email: stranger })
      expect(byStrangerEmail.status).toBe(422)
      expect(byStrangerEmail.body).toMatchObject({ _tag: "NotAMember", code: "not_a_member" })
      const byStrangerId = yield* s.api("POST", base, { externalId: "octo", userId: randomUUID() })
      expect(byStrangerId.status).toBe(422)
      expect((yield* s.api("POST", base, { externalId: "", email: s.user.email })).status).toBe(400)
      expect((yield* s.api("POST", base, { externalId: "octo" })).status).toBe(400)

      const mapped = yield* s.api("POST", base, { externalId: "octo", userId: s.user.id })
      expect(mapped.status).toBe(200)
      expect(mapped.body).toMatchObject({ externalId: "octo", userId: s.user.id, email: s.user.email })
      const byEmail = yield* s.api("POST", base, { externalId: "octo-2", email: s.user.email.toUpperCase() })
      expect(byEmail.body).toMatchObject({ externalId: "octo-2", userId: s.user.id })
      const listed = yield* s.api("GET", base)
      expect(listed.body.map((i: any) => i.externalId)).toEqual(["octo", "octo-2"])

      // an event from the mapped user, without an email: acts as the member the mapping names
      const log = { projectId: c.projectId, startTime: "2026-01-01T10:00:00Z", durationMinutes: 10 }
      const sent = yield* c.send({ user: "octo", log }, "m-1")
      const ghost = yield* c.send({ user: "nobody", log }, "m-2")
      yield* s.deliver
      const deliveries = yield* s.api("GET", `/api/integrations/${c.id}/deliveries`)
      expect(deliveries.status).toBe(200)
      const byId = new Map(deliveries.body.map((d: any) => [d.id, d]))
      expect(byId.get(sent.body.deliveryId)).toMatchObject({ state: "delivered", eventType: "inbound.command" })
      expect(JSON.parse((byId.get(sent.body.deliveryId) as any).log[0].response)).toMatchObject({ mappedBy: "identity" })
      expect(byId.get(ghost.body.deliveryId)).toMatchObject({ state: "skipped" })
      expect((byId.get(ghost.body.deliveryId) as any).lastError).toContain(`"nobody" is not mapped`)
      expect((byId.get(ghost.body.deliveryId) as any).log[0].outcome).toBe("skipped")
      const skippedOnly = yield* s.api("GET", `/api/integrations/${c.id}/deliveries?state=skipped`)
      expect(skippedOnly.body.map((d: any) => d.id)).toEqual([ghost.body.deliveryId])

      const removed = yield* s.api("DELETE", `${base}/octo`)
      expect(removed.status).toBe(200)
      expect(removed.body.externalId).toBe("octo")
      expect((yield* s.api("DELETE", `${base}/octo`)).status).toBe(404)
      expect((yield* s.api("GET", `/api/integrations/${randomUUID()}/identities`)).status).toBe(404)

      // a read key sees nothing of it, and changes nothing
      const readKey = yield* s.api("POST", "/api/keys", { label: "reader", scope: "read" })
      const asReader = yield* call(s.base, "POST", base, { key: readKey.body.secret, body: { externalId: "x", userId: s.user.id } })
      expect(asReader.status).toBe(403)
      expect((yield* call(s.base, "GET", base, { key: readKey.body.secret })).status).toBe(403)
    }))

  it.scoped("a signature header that is not hex (non-ASCII, another length) is a 401, never a 500", () =>
    Effect.gen(function*() {
      const s = yield* inboundServer()
      const c = yield* connect(s)
      const command = { user: "ext-1" }
      for (const signature of ["é".repeat(64), "é".repeat(32), "ü", "zz".repeat(32), ""]) {
        const reply = yield* c.send(command, undefined, signature)
        expect(reply.status).toBe(401)
        expect(reply.body).toMatchObject({ code: "bad_signature" })
      }
      expect((yield* c.send(command, undefined)).status).toBe(202)
    }))

  it.scoped("inbound routes are rate limited per connection and address, before the database is asked", () =>
    Effect.gen(function*() {
      const s = yield* inboundServer({ CLOCKME_INBOUND_RATE_LIMIT: "3" })
      const c = yield* connect(s)
      const other = yield* connect(s)
      const statuses: Array<number> = []
      for (let i = 0; i < 4; i++) statuses.push((yield* c.send({ n: i }, undefined, "0".repeat(64))).status)
      expect(statuses).toEqual([401, 401, 401, 429])
      const limited = yield* c.send({ user: "ext-1" }, undefined)
      expect(limited.status).toBe(429)
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0)
      // an unknown connection is limited the same way, without a lookup telling it apart
      const unknown = `/api/integrations/example/inbound/${randomUUID()}/command`
      const unknownStatuses: Array<number> = []
      for (let i = 0; i < 4; i++) unknownStatuses.push((yield* call(s.base, "POST", unknown, { rawBody: "{}" })).status)
      expect(unknownStatuses).toEqual([404, 404, 404, 429])
      expect((yield* other.send({ user: "ext-1" }, undefined)).status).toBe(202)
      // the limit is per minute
      yield* TestClock.adjust("1 minute")
      expect((yield* c.send({ user: "ext-1" }, undefined)).status).toBe(202)
    }))
})
