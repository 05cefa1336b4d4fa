import { describe, expect, it } from "@effect/vitest"
import { createHmac } from "node:crypto"
import { Clock, Effect, TestClock } from "effect"
import { eventsVisible } from "./lib/EventsVisible.js"
import { inboundServer } from "./lib/InboundServer.js"
import type { InboundServer } from "./lib/InboundServer.js"
import { receiver } from "./lib/Receiver.js"
import type { Received } from "./lib/Receiver.js"
import { call } from "./lib/TestServer.js"

const SIGNING = "8f742231b10e8888abcd99yyyzzz85a5"
const BOT = "xoxb-standin"

/** A signed slash command, as Slack sends it: urlencoded, `v0=` HMAC over `v0:{timestamp}:{body}`. */
const slash = (s: InboundServer, connectionId: string, fields: Record<string, string>, options: { age?: number; secret?: string } = {}) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
  const body = new URLSearchParams({ command: "/clockme", ...fields }).toString()
  const timestamp = String(Math.floor(now / 1000) - (options.age ?? 0))
  const signature = `v0=${createHmac("sha256", options.secret ?? SIGNING).update(`v0:${timestamp}:${body}`).digest("hex")}`
  return call(s.base, "POST", `/api/integrations/slack/inbound/${connectionId}/commands`, {
    rawBody: body,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": signature
    }
  })
  })

/** Delivery fans out only events older than every running transaction: wait (for at most 10 s) until they are. */
const settled = (s: InboundServer) => s.run(eventsVisible)

describe("Slack plugin over the real server, Slack played on loopback", () => {
  it.scoped("the slash command acts as the member users.info names; stale, tampered and repeated requests change nothing; a budget alert is posted once after a 429", () =>
    Effect.gen(function*() {
      const slack = yield* receiver
      const s = yield* inboundServer({ CLOCKME_SLACK_API_URL: `${slack.url}/slack/api`, CLOCKME_WEBHOOKS_ALLOW_PRIVATE: "true" })
      // a fixed Wednesday morning, so that "today" and "this week" hold whenever the test runs
      yield* TestClock.setTime(Date.parse("2026-06-10T09:00:00Z"))
      const emails: Record<string, string> = { U1: s.user.email, U9: "nobody@example.com" }
      const usersInfo = (received: Received) => new URLSearchParams(received.body).get("user") ?? ""
      slack.answer.byPath = (path) =>
        path.startsWith("/respond")
          ? { status: 200 }
          : path === "/slack/api/users.info"
          ? {
            status: 200,
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ ok: true, user: { id: "?", profile: { email: emails[usersInfo(slack.received.at(-1)!)] } } })
          }
          : undefined

      const website = (yield* s.api("POST", "/api/projects", { name: "Website", budgetHours: 1 })).body
      const created = yield* s.api("POST", "/api/integrations", {
        integration: "slack",
        config: { alertChannel: "C0ALERTS" },
        secrets: { signingSecret: SIGNING, botToken: BOT }
      })
      expect(created.status).toBe(201)
      const id = created.body.id as string
      const responses = () => slack.received.filter((r) => r.path.startsWith("/respond")).map((r) => JSON.parse(r.body))

      const start = yield* slash(s, id, { text: "start Website fixing the form", user_id: "U1", response_url: `${slack.url}/respond/1` })
      expect(start.status).toBe(200)
      expect(start.body).toEqual({ response_type: "ephemeral", text: "On it…" })
      yield* s.deliver
      const lookup = slack.received.find((r) => r.path === "/slack/api/users.info")!
      expect(lookup.headers.authorization).toBe(`Bearer ${BOT}`)
      expect(responses()).toEqual([{ response_type: "ephemeral", text: "Started your timer on Website" }])
      const timers = yield* s.api("GET", "/api/timer/current")
      expect(timers.body.timers).toMatchObject([{ projectName: "Website", description: "fixing the form", source: "integration" }])

      yield* slash(s, id, { text: "status", user_id: "U1", response_url: `${slack.url}/respond/2` })
      yield* s.deliver
      expect(responses()[1].text).toMatch(/^Website: running, \d+m$/)

      // too old, signed with another secret, sent twice: refused or dropped, nothing done
      expect((yield* slash(s, id, { text: "stop", user_id: "U1" }, { age: 301 })).status).toBe(401)
      expect((yield* slash(s, id, { text: "stop", user_id: "U1" }, { secret: "wrong" })).status).toBe(401)
      const again = yield* slash(s, id, { text: "status", user_id: "U1", response_url: `${slack.url}/respond/2` })
      expect(again.status).toBe(200)
      expect(again.body).toMatchObject({ response_type: "ephemeral", text: "On it…", duplicate: true })
      yield* slash(s, id, { text: "stop", user_id: "U9", response_url: `${slack.url}/respond/3` })
      yield* s.deliver
      expect(responses()).toHaveLength(3)
      expect(responses()[2].text).toContain(`Slack user "U9" is not mapped`)
      const log = yield* s.api("GET", `/api/integrations/${id}/deliveries?state=skipped`)
      expect(log.body).toHaveLength(1)
      expect(log.body[0].lastError).toContain(`Slack user "U9" is not mapped`)
      expect((yield* s.api("GET", "/api/timer/current")).body.timers).toHaveLength(1)

      // 50 minutes of a 1-hour budget cross 80%: one alert, posted after Slack's Retry-After
      let limited = true
      const previous = slack.answer.byPath
      slack.answer.byPath = (path, method) => {
        if (path !== "/slack/api/chat.postMessage") return previous(path, method)
        if (limited) {
          limited = false
          return { status: 429, headers: { "retry-after": "30", "content-type": "application/json" }, body: JSON.stringify({ ok: false, error: "ratelimited" }) }
        }
        return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ ok: true, ts: "1" }) }
      }
      expect((yield* s.api("POST", "/api/entries", { projectId: website.id, startTime: "2026-06-01T09:00:00Z", durationMinutes: 50 })).status).toBe(201)
      const posts = () => slack.received.filter((r) => r.path === "/slack/api/chat.postMessage")
      for (let i = 0; i < 50 && posts().length === 0; i++) {
        yield* settled(s)
        yield* s.deliver
      }
      expect(posts()).toHaveLength(1)
      yield* TestClock.adjust("31 seconds")
      yield* s.deliver
      expect(posts()).toHaveLength(2)
      const message = new URLSearchParams(posts()[1]!.body)
      expect(posts()[1]!.headers.authorization).toBe(`Bearer ${BOT}`)
      expect(message.get("channel")).toBe("C0ALERTS")
      expect(message.get("text")).toMatch(/^Project Website: 80% of its budget used/)
      yield* TestClock.adjust("1 hour")
      yield* s.deliver
      expect(posts()).toHaveLength(2)

      // stop the timer started above (an hour and 31 s ago), then what was logged today and this week
      for (const [n, text] of [[4, "stop"], [5, "today"], [6, "week"]] as const) {
        yield* slash(s, id, { text, user_id: "U1", response_url: `${slack.url}/respond/${n}` })
      }
      yield* s.deliver
      expect(responses().slice(3).map((r) => r.text)).toEqual(["Stopped: 1h logged", "Today: 1h logged", "This week: 1h logged"])
    }))
  it.scoped("a timer running 12 hours is posted once to the incoming webhook, after the Retry-After of a 429", () =>
    Effect.gen(function*() {
      const slack = yield* receiver
      const s = yield* inboundServer({ CLOCKME_WEBHOOKS_ALLOW_PRIVATE: "true" })
      const created = yield* s.api("POST", "/api/integrations", {
        integration: "slack",
        secrets: { signingSecret: SIGNING, incomingWebhookUrl: `${slack.url}/services/T1/B1/x` }
      })
      expect(created.status).toBe(201)
      expect(created.body.events).toEqual(["budget_threshold.crossed", "timer.running_long"])
      let limited = true
      slack.answer.byPath = () => {
        if (!limited) return { status: 200 }
        limited = false
        return { status: 429, headers: { "retry-after": "20" } }
      }
      expect((yield* s.api("POST", "/api/timer/start", { projectName: "Forgotten", autoCreate: true, description: "late night" })).status).toBe(200)
      const posts = () => slack.received.filter((r) => r.path === "/services/T1/B1/x").map((r) => JSON.parse(r.body).text as string)
      const deliverAll = Effect.gen(function*() {
        for (let i = 0; i < 20; i++) {
          yield* settled(s)
          yield* s.deliver
        }
      })
      yield* TestClock.adjust("719 minutes")
      yield* s.sweep
      yield* deliverAll
      expect(posts()).toEqual([])
      yield* TestClock.adjust("1 minute")
      yield* s.sweep
      for (let i = 0; i < 50 && posts().length === 0; i++) {
        yield* settled(s)
        yield* s.deliver
      }
      expect(posts()).toHaveLength(1)
      yield* deliverAll
      expect(posts()).toHaveLength(1)
      yield* TestClock.adjust("21 seconds")
      yield* s.deliver
      expect(posts()).toHaveLength(2)
      expect(posts()[1]).toMatch(/^A timer on Forgotten \(late night\) has run for 12h since 20\d\d-.*: forgotten\?$/)
      yield* TestClock.adjust("2 hours")
      yield* s.sweep
      yield* deliverAll
      expect(posts()).toHaveLength(2)
    }))

  it.scoped("an incomingWebhookUrl is checked by the outbound rules when saved: a private one is a 422 naming the field, never echoing the secret path", () =>
    Effect.gen(function*() {
      const s = yield* inboundServer({ CLOCKME_WEBHOOKS_ALLOW_PRIVATE: "false" })
      const good = yield* s.api("POST", "/api/integrations", {
        integration: "slack",
        secrets: { signingSecret: SIGNING, incomingWebhookUrl: "https://93.184.216.34/services/T1/B1/s3cr3t" }
      })
      expect(good.status).toBe(201)
      for (const url of ["https://127.0.0.1/services/T1/B1/s3cr3t", "http://93.184.216.34/services/T1/B1/s3cr3t", "https://[::ffff:10.0.0.1]/services/T1/B1/s3cr3t"]) {
        const secrets = { signingSecret: SIGNING, incomingWebhookUrl: url }
        const created = yield* s.api("POST", "/api/integrations", { integration: "slack", secrets })
        const patched = yield* s.api("PATCH", `/api/integrations/${good.body.id}`, { secrets })
        for (const reply of [created, patched]) {
          expect([url, reply.status, reply.body.code]).toEqual([url, 422, "target_refused"])
          expect(reply.body.message).toMatch(/^secrets\.incomingWebhookUrl: /)
          expect(JSON.stringify(reply.body)).not.toContain("s3cr3t")
        }
      }
      expect((yield* s.api("GET", "/api/integrations")).body.connections).toHaveLength(1)
    }))
})
