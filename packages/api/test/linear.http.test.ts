import { describe, expect, it } from "@effect/vitest"
import { createHmac, randomUUID } from "node:crypto"
import { Clock, Effect, TestClock } from "effect"
import { inboundServer } from "./lib/InboundServer.js"
import type { InboundServer } from "./lib/InboundServer.js"
import { receiver } from "./lib/Receiver.js"
import { call } from "./lib/TestServer.js"

const SECRET = "lin_wh_secret"
const API_KEY = "lin_api_standin"

/** An Issue update as Linear sends it: `webhookTimestamp` (ms) inside the signed body, `Linear-Signature` bare hex. */
const issueEvent = (assignee: string, state: string, options: { age?: number } = {}) => ({
  action: "update",
  type: "Issue",
  updatedFrom: { stateId: "state-before" },
  data: {
    id: "issue-uuid-123",
    identifier: "ENG-123",
    title: "Fix login",
    projectId: null,
    state: { type: state },
    assignee: { id: assignee }
  },
  age: options.age ?? 0
})

/** Signed at the TestClock's now (less the event's `age`): the 60 s window is judged on Effect's Clock. */
const send = (s: InboundServer, connectionId: string, event: { readonly age: number }, delivery: string, secret = SECRET) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
  const { age, ...payload } = event
  const raw = JSON.stringify({ ...payload, webhookTimestamp: now - age })
  return call(s.base, "POST", `/api/integrations/linear/inbound/${connectionId}/webhook`, {
    rawBody: raw,
    headers: {
      "content-type": "application/json",
      "linear-delivery": delivery,
      "linear-event": "Issue",
      "linear-signature": createHmac("sha256", secret).update(raw).digest("hex")
    }
  })
  })

describe("Linear plugin over the real server, Linear played on loopback", () => {
  it.scoped("In Progress starts the assignee's timer on the issue's task, Done stops it, completes the task and comments once", () =>
    Effect.gen(function*() {
      const linear = yield* receiver
      linear.answer.mode = {
        status: 200,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ data: { commentCreate: { success: true, lastSyncId: 1, comment: { id: "c1" } } } })
      }
      const s = yield* inboundServer({ CLOCKME_LINEAR_API_URL: `${linear.url}/graphql` })
      // a fixed clock a year away from the machine's: Date.now() would refuse every delivery below
      yield* TestClock.setTime(Date.parse("2027-12-01T09:00:00Z"))
      const project = (yield* s.api("POST", "/api/projects", { name: `eng-${randomUUID().slice(0, 8)}` })).body
      const created = yield* s.api("POST", "/api/integrations", {
        integration: "linear",
        config: { teams: { ENG: project.id }, commentOnComplete: true },
        secrets: { webhookSecret: SECRET, apiKey: API_KEY }
      })
      expect(created.status).toBe(201)
      const id = created.body.id as string
      yield* s.api("POST", `/api/integrations/${id}/identities`, { externalId: "lin-user-1", email: s.user.email })

      const started = yield* send(s, id, issueEvent("lin-user-1", "started"), "l-1")
      expect(started.status).toBe(202)
      expect((yield* send(s, id, issueEvent("lin-user-1", "started"), "l-1")).body).toMatchObject({ duplicate: true })
      expect((yield* send(s, id, issueEvent("lin-user-1", "started", { age: 61_000 }), "l-2")).status).toBe(401)
      expect((yield* send(s, id, issueEvent("lin-user-1", "started"), "l-3", "another secret")).status).toBe(401)
      const ghost = yield* send(s, id, issueEvent("lin-ghost", "started"), "l-4")
      yield* s.deliver

      const timers = (yield* s.api("GET", "/api/timer/current")).body.timers
      expect(timers).toMatchObject([{ projectId: project.id, description: "ENG-123", source: "integration" }])
      const tasks = (yield* s.api("GET", `/api/tasks?projectId=${project.id}`)).body
      expect(tasks).toMatchObject([{ name: "ENG-123 Fix login", status: "active" }])
      expect(timers[0].taskId).toBe(tasks[0].id)
      const skipped = (yield* s.api("GET", `/api/integrations/${id}/deliveries?state=skipped`)).body
      expect(skipped.map((d: any) => d.id)).toEqual([ghost.body.deliveryId])
      expect(skipped[0].lastError).toContain(`Linear user "lin-ghost" is not mapped`)

      // Done after 30 minutes; Linear first answers 429 with Retry-After, the comment goes once it may
      const answer = linear.answer.mode
      linear.answer.mode = {
        status: 429,
        headers: { "content-type": "application/json", "retry-after": "40" },
        body: JSON.stringify({ errors: [{ message: "Rate limit exceeded", extensions: { type: "ratelimited", code: "RATELIMITED" } }] })
      }
      yield* TestClock.adjust("30 minutes")
      const done = yield* send(s, id, issueEvent("lin-user-1", "completed"), "l-5")
      yield* s.deliver
      expect(linear.received).toHaveLength(1)
      expect((yield* s.api("GET", `/api/integrations/${id}/deliveries?state=pending`)).body.map((d: any) => d.id))
        .toEqual([done.body.deliveryId])
      linear.answer.mode = answer
      yield* TestClock.adjust("30 seconds")
      yield* s.deliver
      expect(linear.received).toHaveLength(1)
      yield* TestClock.adjust("11 seconds")
      yield* s.deliver
      expect((yield* s.api("GET", "/api/timer/current")).body.timers).toEqual([])
      const entries = (yield* s.api("GET", `/api/entries?projectId=${project.id}`)).body.entries
      expect(entries).toMatchObject([{ durationSeconds: 1800, taskId: tasks[0].id, source: "integration" }])
      expect((yield* s.api("GET", `/api/tasks?projectId=${project.id}&status=all`)).body).toMatchObject([{ status: "complete" }])
      expect(linear.received).toHaveLength(2)
      const mutation = linear.received[1]!
      expect(mutation.path).toBe("/graphql")
      expect(mutation.headers.authorization).toBe(API_KEY)
      const graphql = JSON.parse(mutation.body)
      expect(graphql.query).toContain("commentCreate")
      expect(graphql.variables.input).toMatchObject({ issueId: "issue-uuid-123", body: "⏱ 30m tracked on ENG-123 (ClockMe)" })
      expect(graphql.variables.input.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      // the same id every time: the retry after 429 above carried it too
      expect(JSON.parse(linear.received[0]!.body).variables.input.id).toBe(graphql.variables.input.id)

      // canceled after done (another delivery): nothing to stop, and never a second comment
      yield* send(s, id, issueEvent("lin-user-1", "canceled"), "l-6")
      yield* s.deliver
      expect(linear.received).toHaveLength(2)
    }))
  it.scoped("a comment Linear already has under our id (posted before a crash) counts as posted; an unknown refusal is retried", () =>
    Effect.gen(function*() {
      const linear = yield* receiver
      let exists = false
      linear.answer.byPath = () => {
        const request = JSON.parse(linear.received.at(-1)!.body)
        const json = (body: unknown) => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
        if (request.query.includes("commentCreate")) {
          return json({ errors: [{ message: "Entity already exists", extensions: { type: "invalid input", code: "INPUT_ERROR" } }] })
        }
        return exists
          ? json({ data: { comment: { id: request.variables.id } } })
          : json({ errors: [{ message: "Entity not found", extensions: { type: "invalid input", code: "INPUT_ERROR" } }] })
      }
      const s = yield* inboundServer({ CLOCKME_LINEAR_API_URL: `${linear.url}/graphql` })
      const project = (yield* s.api("POST", "/api/projects", { name: `eng-${randomUUID().slice(0, 8)}` })).body
      const created = yield* s.api("POST", "/api/integrations", {
        integration: "linear",
        config: { teams: { ENG: project.id }, commentOnComplete: true },
        secrets: { webhookSecret: SECRET, apiKey: API_KEY }
      })
      const id = created.body.id as string
      yield* s.api("POST", `/api/integrations/${id}/identities`, { externalId: "lin-user-1", email: s.user.email })
      const done = yield* send(s, id, issueEvent("lin-user-1", "completed"), "l-1")
      yield* s.deliver
      const state = Effect.map(s.api("GET", `/api/integrations/${id}/deliveries`), (r) => r.body.find((d: any) => d.id === done.body.deliveryId))
      expect(yield* state).toMatchObject({ state: "pending" })
      const asked = linear.received.map((r) => JSON.parse(r.body))
      expect(asked.map((q) => q.query.includes("commentCreate"))).toEqual([true, false])
      expect(asked[1].variables.id).toBe(asked[0].variables.input.id)
      exists = true
      yield* TestClock.adjust("10 minutes")
      yield* s.deliver
      expect(yield* state).toMatchObject({ state: "delivered" })
      expect(linear.received.filter((r) => r.body.includes("commentCreate"))).toHaveLength(2)
    }))
})
