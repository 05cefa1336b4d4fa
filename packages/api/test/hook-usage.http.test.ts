import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { jsonExport } from "./lib/ClaudeCodeExport.js"
import { baseUrl, call, signUp, TestServerManualSweep } from "./lib/TestServer.js"

const T0 = Date.parse("2026-06-01T09:00:00.000Z")
const iso = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString()

const withServer = Effect.gen(function*() {
  yield* TestClock.setTime(T0)
  const context = yield* Layer.build(TestServerManualSweep)
  const base = yield* Effect.provide(baseUrl, context)
  const { key } = yield* Effect.provide(signUp(), context)
  const post = (path: string, body?: unknown) => call(base, "POST", path, { key, body })
  const timerUsage = Effect.map(call(base, "GET", "/api/timer/current", { key }), (reply) => reply.body.timers.map((t: any) => t.usage))
  const entries = Effect.map(call(base, "GET", "/api/entries?limit=100", { key }), (reply) => reply.body.entries as Array<any>)
  const exportJson = (events: Parameters<typeof jsonExport>[0]) =>
    call(base, "POST", "/api/otlp/v1/logs", { key, rawBody: jsonExport(events), headers: { "content-type": "application/json" } })
  return { post, timerUsage, entries, exportJson }
})

const beat = (sessionId: string, usage: ReadonlyArray<unknown>, extra: Record<string, unknown> = {}) => ({
  projectName: "acme-app",
  source: "hook",
  sessionId,
  autoStart: true,
  autoCreate: true,
  usage,
  ...extra
})

const sonnet = (key: string, tokens: [number, number, number, number], at = iso(0)) => ({
  key,
  model: "claude-sonnet-4-5-20250929",
  inputTokens: tokens[0],
  outputTokens: tokens[1],
  cacheReadTokens: tokens[2],
  cacheCreationTokens: tokens[3],
  at
})

/** Dollars per million tokens of claude-sonnet-4-5 below 200k input: 3 in, 15 out, 0.30 cache read, 3.75 cache write. */
const sonnetCost = ([input, output, read, write]: [number, number, number, number]) =>
  (input * 3 + output * 15 + read * 0.3 + write * 3.75) / 1_000_000

describe("usage sent by the hook with its heartbeat and stop", () => {
  it.scoped("a heartbeat's usage joins the timer it starts, priced from the table; a resend counts once; the stop's joins the entry", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      const a: [number, number, number, number] = [1200, 300, 5000, 800]
      const b: [number, number, number, number] = [10, 20, 0, 0]
      const first = yield* s.post("/api/timer/heartbeat", beat("sess-1", [sonnet("request:req_a", a), sonnet("request:req_b", b)]))
      expect(first.status).toBe(200)
      expect(first.body.started).not.toBeNull()
      const both = {
        requests: 2,
        inputTokens: 1210,
        outputTokens: 320,
        cacheReadTokens: 5000,
        cacheCreationTokens: 800,
        costUsd: Number((sonnetCost(a) + sonnetCost(b)).toFixed(6)),
        models: ["claude-sonnet-4-5-20250929"],
        unpricedModels: []
      }
      expect(yield* s.timerUsage).toEqual([both])
      yield* TestClock.adjust("1 minute")
      expect((yield* s.post("/api/timer/heartbeat", beat("sess-1", [sonnet("request:req_a", a)]))).status).toBe(200)
      expect(yield* s.timerUsage).toEqual([both])

      yield* TestClock.adjust("1 minute")
      const stopped = yield* s.post("/api/timer/stop", {
        projectName: "acme-app",
        sessionId: "sess-1",
        reason: "session_end",
        usage: [{ key: "codex:sess-1:4200", model: "gpt-5-codex", inputTokens: 100, outputTokens: 50, cacheReadTokens: 4000, cacheCreationTokens: 0 }]
      })
      expect(stopped.status).toBe(200)
      const [entry] = yield* s.entries
      expect(entry.usage).toEqual({
        ...both,
        requests: 3,
        inputTokens: 1310,
        outputTokens: 370,
        cacheReadTokens: 9000,
        models: ["claude-sonnet-4-5-20250929", "gpt-5-codex"],
        unpricedModels: ["gpt-5-codex"]
      })
    }))

  it.scoped("a request both exported over OpenTelemetry and read from the transcript counts once (the same request id)", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      const tokens: [number, number, number, number] = [1200, 300, 5000, 800]
      expect((yield* s.post("/api/timer/heartbeat", beat("sess-2", []))).status).toBe(200)
      const exported = yield* s.exportJson([{
        sessionId: "sess-2",
        at: T0,
        requestId: "req_both",
        promptId: "p1",
        model: "claude-sonnet-4-5-20250929",
        costUsd: 0.5,
        inputTokens: 1200,
        outputTokens: 300,
        cacheReadTokens: 5000,
        cacheCreationTokens: 800
      }])
      expect(exported.status).toBe(200)
      expect((yield* s.post("/api/timer/heartbeat", beat("sess-2", [sonnet("request:req_both", tokens)]))).status).toBe(200)
      expect(yield* s.timerUsage).toEqual([expect.objectContaining({ requests: 1, costUsd: 0.5 })])
    }))

  it.scoped("usage is kept when the stop itself is refused (the requests were made), and joins the session's entry", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      expect((yield* s.post("/api/timer/heartbeat", beat("sess-3", []))).status).toBe(200)
      expect((yield* s.post("/api/timer/stop", { projectName: "acme-app", sessionId: "sess-3" })).status).toBe(200)
      const refused = yield* s.post("/api/timer/stop", { projectName: "acme-app", sessionId: "sess-3", usage: [sonnet("request:req_late", [1, 2, 3, 4])] })
      expect(refused.status).toBe(404)
      expect((yield* s.entries)[0].usage).toMatchObject({ requests: 1, inputTokens: 1, outputTokens: 2 })
    }))

  it.scoped("bad usage gets a 400 naming it, and nothing of the request is stored", () =>
    Effect.gen(function*() {
      const s = yield* withServer
      const good = sonnet("request:req_ok", [1, 1, 1, 1])
      const cases: ReadonlyArray<[unknown, string]> = [
        [{ projectName: "acme-app", usage: [good] }, "usage"],
        [beat("sess-4", [{ ...good, inputTokens: -1 }]), "inputTokens"],
        [beat("sess-4", [{ ...good, outputTokens: 1.5 }]), "outputTokens"],
        [beat("sess-4", [{ ...good, model: "" }]), "model"],
        [beat("sess-4", [{ ...good, key: "x".repeat(301) }]), "key"],
        [beat("sess-4", [{ ...good, costUsd: 1 }]), "costUsd"],
        [beat("sess-4", [{ ...good, at: "yesterday" }]), "at"],
        [beat("sess-4", [{ ...good, at: iso(60 * 25) }]), "usage[0].at"],
        [beat("sess-4", Array.from({ length: 501 }, (_, i) => sonnet(`request:r${i}`, [1, 1, 1, 1]))), "usage"]
      ]
      for (const [body, named] of cases) {
        const reply = yield* s.post("/api/timer/heartbeat", body)
        expect(reply.status, JSON.stringify(reply.body)).toBe(400)
        expect(reply.body.code).toBe("invalid_input")
        expect(JSON.stringify(reply.body)).toContain(named)
      }
      expect(yield* s.timerUsage).toEqual([])
      expect((yield* s.post("/api/timer/heartbeat", beat("sess-4", [good]))).status).toBe(200)
      expect(yield* s.timerUsage).toEqual([expect.objectContaining({ requests: 1 })])
    }))
})
