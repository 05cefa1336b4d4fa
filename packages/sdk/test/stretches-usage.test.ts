import { describe, expect, it } from "@effect/vitest"
import type { HookActivity } from "../src/cli/Stretches.js"
import { addAll, deserialize, empty, MAX_STRETCH_USAGE, plan, serialize } from "../src/cli/Stretches.js"
import { MAX_HOOK_USAGE } from "@clockme/domain/contract/HookUsage"
import type { UsageRecord } from "../src/cli/UsageLines.js"
import { MAX_RECORDS_PER_CALL } from "../src/cli/UsageReader.js"

const T0 = Date.parse("2026-06-01T09:00:00.000Z")
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString()

const record = (key: string): UsageRecord => ({
  key,
  model: "claude-haiku-4-5",
  inputTokens: 1,
  outputTokens: 2,
  cacheReadTokens: 3,
  cacheCreationTokens: 4
})

let n = 0
const event = (minutes: number, kind: HookActivity["event"], usage?: ReadonlyArray<UsageRecord>): HookActivity => ({
  id: `u${++n}`,
  event: kind,
  tool: "claude-code",
  at: at(minutes),
  projectName: "repo-a",
  sessionId: "s1",
  ...(usage === undefined ? {} : { usage })
})

describe("usage in the offline queue", () => {
  it("a live call and a queued stretch carry at most what the contract takes in one body", () => {
    expect([MAX_RECORDS_PER_CALL, MAX_STRETCH_USAGE]).toEqual([MAX_HOOK_USAGE, MAX_HOOK_USAGE])
  })

  it("a stretch carries its events' requests once each, through the file, on its heartbeat", () => {
    const queue = deserialize(serialize(addAll(empty, [
      event(0, "stop", [record("request:a"), record("request:b")]),
      // a call that could not commit its offset reads the same request again
      event(1, "stop", [record("request:b"), record("request:c")]),
      event(2, "prompt"),
      event(3, "session-end", [record("request:d")])
    ])))
    const requests = plan(queue, T0 + 3_600_000)
    expect(requests.map((r) => [r.kind, r.body.usage?.map((u) => u.key)])).toEqual([
      ["heartbeat", ["request:a", "request:b", "request:c", "request:d"]],
      ["stop", undefined]
    ])
  })

  it("a stretch that is only a session end sends its requests with the stop; without a session they are not sent", () => {
    const ended = plan(addAll(empty, [event(0, "session-end", [record("request:e")])]), T0 + 60_000)
    expect(ended.map((r) => [r.kind, r.body.usage?.map((u) => u.key)])).toEqual([["stop", ["request:e"]]])
    const anonymous = plan(addAll(empty, [{ ...event(0, "stop", [record("request:f")]), sessionId: undefined }]), T0 + 60_000)
    expect(anonymous.map((r) => r.body.usage)).toEqual([undefined])
  })

  it("past the number of requests one body takes, the next event opens a new stretch", () => {
    const many = (from: number, count: number) => Array.from({ length: count }, (_, i) => record(`request:${from + i}`))
    const queue = addAll(empty, [event(0, "stop", many(0, MAX_STRETCH_USAGE - 10)), event(1, "stop", many(1000, 20)), event(2, "stop", many(2000, 5))])
    expect(queue.stretches.map((s) => s.usage?.length)).toEqual([MAX_STRETCH_USAGE - 10, 25])
    expect(plan(queue, T0 + 3_600_000).every((r) => (r.body.usage?.length ?? 0) <= MAX_STRETCH_USAGE)).toBe(true)
  })
})
