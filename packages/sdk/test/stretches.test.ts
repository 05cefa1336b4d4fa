import { describe, expect, it } from "@effect/vitest"
import type { HookActivity } from "../src/cli/Stretches.js"
import { add, addAll, DEFAULT_GAP_MS, deserialize, empty, eventCount, plan, remove, serialize } from "../src/cli/Stretches.js"

const T0 = Date.parse("2026-06-01T09:00:00.000Z")
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString()

let n = 0
const event = (
  minutes: number,
  options: Partial<HookActivity> = {}
): HookActivity => ({
  id: `e${++n}`,
  event: "prompt",
  tool: "claude-code",
  at: at(minutes),
  projectName: "repo-a",
  sessionId: "s1",
  autoCreate: true,
  description: "Claude Code session",
  ...options
})

describe("Stretches", () => {
  it("10,000 prompts 5 seconds apart are one stretch of a few hundred bytes, flushed as one heartbeat", () => {
    let queue = empty
    for (let i = 0; i < 10_000; i++) queue = add(queue, event(i / 12))
    expect(queue.stretches).toHaveLength(1)
    expect(eventCount(queue)).toBe(10_000)
    expect(Buffer.byteLength(serialize(queue))).toBeLessThan(400)
    expect(plan(queue, T0 + 20 * 3_600_000)).toEqual([{
      kind: "heartbeat",
      stretch: queue.stretches[0]!.id,
      body: {
        projectName: "repo-a",
        source: "hook",
        sessionId: "s1",
        autoStart: true,
        autoCreate: true,
        description: "Claude Code session",
        since: at(0),
        at: at(9_999 / 12),
        count: 10_000
      }
    }])
  })

  it("a gap longer than the gap splits a stretch; a gap of exactly the gap does not", () => {
    const queue = addAll(empty, [event(0), event(5), event(10.01), event(12)], DEFAULT_GAP_MS)
    expect(queue.stretches.map((s) => [s.first, s.last, s.events])).toEqual([
      [Date.parse(at(0)), Date.parse(at(5)), 2],
      [Date.parse(at(10.01)), Date.parse(at(12)), 2]
    ])
    const wide = addAll(empty, [event(0), event(25), event(50)], 30 * 60_000)
    expect(wide.stretches).toHaveLength(1)
  })

  it("two repositories and two sessions through one outage keep their own stretches, in order", () => {
    const events: Array<HookActivity> = []
    for (let m = 0; m <= 45; m += 3) {
      events.push(event(m, { projectName: "repo-a", sessionId: "A" }))
      events.push(event(m + 1, { projectName: "Repo-B", sessionId: "B", tool: "cursor" }))
    }
    const queue = addAll(empty, events)
    expect(queue.stretches.map((s) => [s.projectName, s.sessionId, s.events])).toEqual([["repo-a", "A", 16], ["Repo-B", "B", 16]])
    const requests = plan(queue, T0 + 50 * 60_000)
    expect(requests.map((r) => [r.kind, r.body.projectName, r.body.at])).toEqual([
      ["heartbeat", "repo-a", at(45)],
      ["heartbeat", "Repo-B", at(46)]
    ])
    const sameSessionOtherCase = add(queue, event(47, { projectName: "repo-b", sessionId: "B", tool: "cursor" }))
    expect(sameSessionOtherCase.stretches).toHaveLength(2)
  })

  it("a session end closes its stretch: a heartbeat to the last activity, then a stop at the end", () => {
    const queue = addAll(empty, [
      event(0, { event: "session-start" }),
      event(4),
      event(6, { event: "stop" }),
      event(8, { event: "session-end" }),
      event(9, { event: "session-start" })
    ])
    expect(queue.stretches).toHaveLength(2)
    const [first] = queue.stretches
    expect(plan({ stretches: [first!] }, T0 + 60 * 60_000)).toEqual([
      expect.objectContaining({ kind: "heartbeat", body: expect.objectContaining({ since: at(0), at: at(6), count: 3 }) }),
      {
        kind: "stop",
        stretch: first!.id,
        idempotencyKey: `clockme-queue:${first!.id}`,
        body: { projectName: "repo-a", sessionId: "s1", reason: "session_end", at: at(8) }
      }
    ])
    expect(eventCount(queue)).toBe(5)
  })

  it("a session end long after the last activity, or on its own, is a stop only", () => {
    const late = addAll(empty, [event(0), event(20, { event: "session-end" })])
    expect(plan(late, T0 + 30 * 60_000).map((r) => [r.kind, r.body.at])).toEqual([["heartbeat", at(0)], ["stop", at(20)]])
    const lone = add(empty, event(3, { event: "session-end", sessionId: undefined }))
    expect(plan(lone, T0 + 30 * 60_000)).toEqual([{
      kind: "stop",
      stretch: lone.stretches[0]!.id,
      idempotencyKey: `clockme-queue:${lone.stretches[0]!.id}`,
      body: { projectName: "repo-a", at: at(3) }
    }])
  })

  it("serializes and reads back, reads the older one-event-per-line queue, and skips garbage", () => {
    const queue = addAll(empty, [event(0), event(1, { fallbackProjectId: "p" }), event(30, { event: "session-end" })])
    expect(deserialize(serialize(queue))).toEqual(queue)
    const appended = serialize(queue) + JSON.stringify(event(31, { sessionId: "s1" })) + "\n" +
      JSON.stringify(event(32, { sessionId: "s2" })) + "\n{\"trunc"
    expect(eventCount(deserialize(appended))).toBe(eventCount(queue) + 2)
    expect(deserialize(appended).stretches).toHaveLength(queue.stretches.length + 2)
    const legacy = [event(0), event(2), event(4, { event: "session-end" })].map((e) => JSON.stringify(e)).join("\n") +
      "\nnot json\n{\"id\":1}\n"
    const migrated = deserialize(legacy)
    expect(migrated.stretches).toHaveLength(1)
    expect(migrated.stretches[0]).toMatchObject({ events: 2, first: Date.parse(at(0)), last: Date.parse(at(2)), endedAt: Date.parse(at(4)) })
    expect(deserialize("")).toEqual(empty)
    expect(deserialize("{\"format\":\"clockme-stretches/1\",\"stretches\":[{\"id\":\"x\"}]}")).toEqual(empty)
    expect(add(empty, event(0, { at: "yesterday" }))).toEqual(empty)
  })

  it("the flush plan clips stretches to the server's 24-hour bound and leaves out older ones", () => {
    // now is minute 1800 (30 h after T0): the server takes events from minute 1800 - 1440 = 360 on, and the
    // plan keeps one minute inside that, so minute 361 is the oldest time it sends
    const now = T0 + 30 * 3_600_000
    const queue = addAll(empty, [
      event(0, { sessionId: "old" }),
      event(360, { sessionId: "just-out" }),
      event(361, { sessionId: "just-in" }),
      ...Array.from({ length: 60 }, (_, i) => event(300 + i * 4, { sessionId: "long" }))
    ])
    const bodies = plan(queue, now).map((request) => request.body)
    expect(bodies).toEqual([
      expect.objectContaining({ sessionId: "just-in", since: at(361), at: at(361), count: 1 }),
      // 300 → 536 (the 60th event is at 300 + 59 × 4), its start clipped to minute 361
      expect.objectContaining({ sessionId: "long", since: at(361), at: at(536), count: 60 })
    ])
  })

  it("remove drops exactly the flushed stretches", () => {
    const queue = addAll(empty, [event(0, { sessionId: "a" }), event(0, { sessionId: "b" }), event(0, { sessionId: "c" })])
    const left = remove(queue, new Set([queue.stretches[1]!.id]))
    expect(left.stretches.map((s) => s.sessionId)).toEqual(["a", "c"])
  })

  it("10,000 prompts over two sessions with pauses stay a few kilobytes and lose no event", () => {
    let queue = empty
    let minute = 0
    for (let i = 0; i < 10_000; i++) {
      minute += i > 0 && i % 500 === 0 ? 20 : 0.05
      queue = add(queue, event(minute, { sessionId: i % 2 === 0 ? "even" : "odd" }))
    }
    expect(eventCount(queue)).toBe(10_000)
    expect(queue.stretches).toHaveLength(40)
    expect(Buffer.byteLength(serialize(queue))).toBeLessThan(8_000)
    expect(plan(queue, Date.parse(at(minute + 1)))).toHaveLength(40)
  })
})
