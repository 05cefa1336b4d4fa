import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, TestClock } from "effect"
import { Entries } from "../src/services/Entries.js"
import { IdleWatchdog } from "../src/services/IdleWatchdog.js"
import { Projects } from "../src/services/Projects.js"
import { Timers } from "../src/services/Timers.js"
import { Members } from "../src/services/Members.js"
import { ServiceTest, sharedWorkspace, signUp } from "./lib/ServiceTest.js"

const T0 = Date.parse("2026-06-01T09:00:00.000Z")
const at = (minutes: number) => DateTime.unsafeMake(T0 + minutes * 60_000)

const session = (projectName: string, sessionId?: string) => ({
  projectName,
  autoCreate: true,
  source: "hook" as const,
  ...(sessionId === undefined ? {} : { sessionId })
})

describe("Timers: pause maths", () => {
  it.effect("paused time never counts; the entry records the pauses and the wall-clock span", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const timers = yield* Timers
      const me = yield* signUp()
      yield* me.run(timers.start({ projectName: "pausing", autoCreate: true }))
      yield* TestClock.adjust("10 minutes")
      expect(yield* me.run(timers.pause({}))).toMatchObject({ state: "paused", elapsedSeconds: 600 })
      yield* TestClock.adjust("30 minutes")
      expect((yield* me.run(timers.current)).timers[0]).toMatchObject({ state: "paused", elapsedSeconds: 600 })
      expect((yield* Effect.flip(me.run(timers.pause({}))))._tag).toBe("TimerNotRunning")
      expect(yield* me.run(timers.resume({ projectName: "pausing" }))).toMatchObject({ state: "running", elapsedSeconds: 600 })
      yield* TestClock.adjust("5 minutes")
      const entry = yield* me.run(timers.stop({}))
      expect(entry).toMatchObject({
        durationSeconds: 900,
        pausedSeconds: 1800,
        pauses: 1,
        startTime: at(0),
        endTime: at(45),
        stopReason: "manual"
      })
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("several pauses add up; stopping while paused ends at the stop and counts no paused time", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const timers = yield* Timers
      const me = yield* signUp()
      yield* me.run(timers.start({ projectName: "stop-start", autoCreate: true }))
      for (const [run, rest] of [[7, 3], [11, 13], [2, 0]] as const) {
        yield* TestClock.adjust(`${run} minutes`)
        yield* me.run(timers.pause({}))
        yield* TestClock.adjust(`${rest} minutes`)
        if (rest > 0) yield* me.run(timers.resume({}))
      }
      yield* TestClock.adjust("20 minutes")
      const entry = yield* me.run(timers.stop({ projectName: "stop-start" }))
      expect(entry).toMatchObject({
        durationSeconds: 20 * 60,
        pausedSeconds: 36 * 60,
        pauses: 3,
        startTime: at(0),
        endTime: at(56)
      })
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("with several timers, pause and resume need a project, else AmbiguousTimer lists them", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const timers = yield* Timers
      const me = yield* signUp()
      yield* me.run(timers.start({ projectName: "one", autoCreate: true }))
      yield* me.run(timers.start({ projectName: "two", autoCreate: true }))
      const ambiguous = yield* Effect.flip(me.run(timers.pause({})))
      expect(ambiguous._tag).toBe("AmbiguousTimer")
      if (ambiguous._tag === "AmbiguousTimer") {
        expect(ambiguous.timers.map((t) => t.projectName).sort()).toEqual(["one", "two"])
      }
      expect((yield* me.run(timers.pause({ projectName: "two" }))).state).toBe("paused")
      expect((yield* me.run(timers.resume({}))).projectName).toBe("two")
      expect((yield* Effect.flip(me.run(timers.resume({}))))._tag).toBe("TimerNotRunning")
      expect((yield* Effect.flip(me.run(timers.pause({ projectName: "nothing-like-it" }))))._tag).toBe("TimerNotRunning")
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("a move keeps the elapsed time; a split logs it on the old project and starts afresh", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const timers = yield* Timers
      const projects = yield* Projects
      const entries = yield* Entries
      const me = yield* signUp()
      const a = yield* me.run(timers.start({ projectName: "alpha", autoCreate: true }))
      const b = yield* me.run(timers.start({ projectName: "beta", autoCreate: true }))
      const gamma = yield* me.run(projects.create({ name: "gamma" }))
      const onto = yield* Effect.flip(me.run(timers.update({ currentProjectId: a.projectId, projectId: b.projectId })))
      expect(onto._tag).toBe("TimerExists")
      yield* TestClock.adjust("20 minutes")
      const moved = yield* me.run(timers.update({ currentProjectId: a.projectId, projectId: gamma.id, description: "refactor" }))
      expect(moved).toMatchObject({ id: a.id, projectName: "gamma", elapsedSeconds: 1200, description: "refactor" })
      const split = yield* me.run(timers.update({ currentProjectId: b.projectId, projectId: a.projectId, split: true }))
      expect(split).toMatchObject({ projectName: "alpha", elapsedSeconds: 0 })
      const page = yield* me.run(entries.list({}))
      expect(page.entries).toHaveLength(1)
      expect(page.entries[0]).toMatchObject({ projectId: b.projectId, stopReason: "replaced", durationSeconds: 1200 })
    }).pipe(Effect.provide(ServiceTest)))
})

describe("Timers: sessions", () => {
  it.effect("a timer shared by two sessions runs until the last one ends", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const timers = yield* Timers
      const me = yield* signUp({ source: "hook" })
      const first = yield* me.run(timers.start(session("shared", "A")))
      yield* TestClock.adjust("10 minutes")
      const second = yield* me.run(timers.start(session("shared", "B")))
      expect(second).toMatchObject({ id: first.id, alreadyRunning: true })
      yield* TestClock.adjust("10 minutes")
      const endA = yield* me.run(timers.stop({ projectName: "shared", sessionId: "A" }))
      expect(endA).toMatchObject({ stopped: false, activeSessions: 1 })
      yield* TestClock.adjust("10 minutes")
      const endB = yield* me.run(timers.stop({ projectName: "shared", sessionId: "B" }))
      expect(endB).toMatchObject({ durationSeconds: 1800, sessions: 2, stopReason: "session_end", endTime: at(30) })
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("a session unseen for 30 minutes no longer keeps the timer running; a heartbeat keeps it alive", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const timers = yield* Timers
      const me = yield* signUp()
      yield* me.run(timers.start(session("stale", "gone")))
      yield* me.run(timers.start(session("stale", "alive")))
      yield* TestClock.adjust("25 minutes")
      yield* me.run(timers.heartbeat({ projectName: "stale", sessionId: "alive" }))
      yield* TestClock.adjust("10 minutes")
      expect(yield* me.run(timers.stop({ projectName: "stale", sessionId: "gone" }))).toMatchObject({ stopped: false })
      yield* TestClock.adjust("31 minutes")
      yield* me.run(timers.start(session("stale", "gone")))
      const last = yield* me.run(timers.stop({ projectName: "stale", sessionId: "gone" }))
      expect(last).toMatchObject({ stopReason: "session_end", durationSeconds: 66 * 60, sessions: 2 })
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("a stop without sessionId stops a shared timer at once", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const timers = yield* Timers
      const me = yield* signUp()
      yield* me.run(timers.start(session("docs", "A")))
      yield* me.run(timers.start(session("docs", "B")))
      yield* TestClock.adjust("3 minutes")
      expect(yield* me.run(timers.stop({ projectName: "docs" }))).toMatchObject({ durationSeconds: 180, stopReason: "manual" })
      expect((yield* me.run(timers.current)).timers).toEqual([])
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("two sessions in two repositories yield two entries; heartbeats touch every hook timer", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const timers = yield* Timers
      const me = yield* signUp()
      yield* me.run(timers.start(session("repo-a", "a")))
      yield* TestClock.adjust("10 minutes")
      yield* me.run(timers.start(session("repo-b", "b")))
      for (let i = 0; i < 4; i++) {
        yield* TestClock.adjust("5 minutes")
        expect((yield* me.run(timers.heartbeat({}))).touched).toHaveLength(2)
      }
      const a = yield* me.run(timers.stop({ projectName: "repo-a", sessionId: "a" }))
      expect(a).toMatchObject({ durationSeconds: 1800, stopReason: "session_end", sessions: 1, heartbeats: 4 })
      const b = yield* me.run(timers.stop({ projectName: "repo-b", sessionId: "b" }))
      expect(b).toMatchObject({ durationSeconds: 1200, stopReason: "session_end", lastActivityAt: at(30) })
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("a heartbeat names a timer that must exist; with autoStart it starts one", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const timers = yield* Timers
      const projects = yield* Projects
      const me = yield* signUp()
      expect((yield* Effect.flip(me.run(timers.heartbeat({ projectName: "ghost" }))))._tag).toBe("TimerNotRunning")
      yield* me.run(projects.create({ name: "exists" }))
      const idle = yield* Effect.flip(me.run(timers.heartbeat({ projectName: "exists" })))
      expect(idle.message).toContain("autoStart")
      expect(yield* me.run(timers.heartbeat({}))).toEqual(expect.objectContaining({ touched: [], started: null }))
      const started = yield* me.run(timers.heartbeat({ projectName: "exists", autoStart: true, sessionId: "s1" }))
      expect(started.started).toMatchObject({ projectName: "exists", source: "hook", state: "running", startedAt: at(0) })
      // a read key's refusal is the table of operations' (RequiredScope), proven for every endpoint by the proof's scope matrix
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("racing stops write one entry; the losers get that entry or TimerNotRunning", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const timers = yield* Timers
      const entries = yield* Entries
      const me = yield* signUp()
      yield* me.run(timers.start(session("race")))
      yield* TestClock.adjust("1 minute")
      const outcomes = yield* Effect.all(
        Array.from({ length: 6 }, () => Effect.either(me.run(timers.stop({ projectName: "race" })))),
        { concurrency: "unbounded" }
      )
      const ids = new Set(outcomes.flatMap((o) => o._tag === "Right" && "id" in o.right ? [o.right.id] : []))
      expect(ids.size).toBe(1)
      expect(outcomes.every((o) => o._tag === "Right" || o.left._tag === "TimerNotRunning")).toBe(true)
      expect((yield* me.run(entries.list({}))).entries).toHaveLength(1)
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("a member removed from a shared workspace has their timers there stopped and recorded", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const timers = yield* Timers
      const members = yield* Members
      const entries = yield* Entries
      const owner = yield* signUp()
      const member = yield* signUp()
      const id = yield* sharedWorkspace(owner, [member], { name: "Agency" })
      const there = member.with({ workspaceId: id })
      yield* there.run(timers.start({ projectName: "client", autoCreate: true }))
      yield* TestClock.adjust("25 minutes")
      yield* owner.with({ workspaceId: id }).run(members.removeMember(id, member.actor.userId))
      expect((yield* there.run(timers.current)).timers).toEqual([])
      const history = yield* owner.with({ workspaceId: id }).run(entries.list({ scope: "workspace" }))
      expect(history.entries).toHaveLength(1)
      expect(history.entries[0]).toMatchObject({ userId: member.actor.userId, durationSeconds: 1500, stopReason: "manual" })
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("an idempotency key replays the first result, refuses another operation, and is forgotten after a day", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const timers = yield* Timers
      const watchdog = yield* IdleWatchdog
      const me = yield* signUp()
      const first = yield* me.run(timers.start({ projectName: "daily", autoCreate: true }, { idempotencyKey: "k" }))
      expect(yield* me.run(timers.start({ projectName: "daily" }, { idempotencyKey: "k" }))).toEqual(first)
      expect((yield* Effect.flip(me.run(timers.pause({}, { idempotencyKey: "k" }))))._tag).toBe("Conflict")
      yield* me.run(timers.stop({}))
      yield* TestClock.adjust("23 hours")
      yield* watchdog.sweep
      expect((yield* me.run(timers.start({ projectName: "daily" }, { idempotencyKey: "k" }))).id).toBe(first.id)
      expect((yield* me.run(timers.current)).timers).toEqual([])
      yield* TestClock.adjust("2 hours")
      yield* watchdog.sweep
      const fresh = yield* me.run(timers.start({ projectName: "daily" }, { idempotencyKey: "k" }))
      expect(fresh.id).not.toBe(first.id)
      expect((yield* me.run(timers.current)).timers).toHaveLength(1)
    }).pipe(Effect.provide(ServiceTest)))
})

describe("Timers: backdated starts", () => {
  it.effect("a backdated start never overlaps an entry of the same user and project: it is clamped to that entry's end", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0 + 10 * 3_600_000)
      const timers = yield* Timers
      const entries = yield* Entries
      const me = yield* signUp()
      const hours = (h: number) => at(h * 60)
      const first = yield* me.run(timers.start({ projectName: "backdated", autoCreate: true, at: hours(5) }))
      expect(first).toMatchObject({ at: hours(5), startedAt: hours(5) })
      expect(first.clampedFrom).toBeUndefined()
      yield* me.run(timers.stop({ projectName: "backdated", at: hours(7) }))
      // the probe's case: start at −4 h inside the entry that ran −5 h to −3 h
      const second = yield* me.run(timers.start({ projectName: "backdated", at: hours(6) }))
      expect(second).toMatchObject({ at: hours(7), startedAt: hours(7), clampedFrom: hours(6) })
      yield* me.run(timers.stop({ projectName: "backdated", at: hours(8) }))
      // before every entry: still after the latest one
      const third = yield* me.run(timers.start({ projectName: "backdated", at: hours(4) }))
      expect(third).toMatchObject({ at: hours(8), clampedFrom: hours(4) })
      yield* me.run(timers.stop({ projectName: "backdated", at: hours(9) }))
      const listed = (yield* me.run(entries.list({}))).entries
      const spans = listed.map((e) => [DateTime.formatIso(e.startTime), DateTime.formatIso(e.endTime), e.durationSeconds]).reverse()
      expect(spans).toEqual([
        [DateTime.formatIso(hours(5)), DateTime.formatIso(hours(7)), 7200],
        [DateTime.formatIso(hours(7)), DateTime.formatIso(hours(8)), 3600],
        [DateTime.formatIso(hours(8)), DateTime.formatIso(hours(9)), 3600]
      ])
      // another project, and an at after the entries, are left as sent
      expect((yield* me.run(timers.start({ projectName: "elsewhere", autoCreate: true, at: hours(6) }))).at).toEqual(hours(6))
      const later = yield* me.run(timers.start({ projectName: "backdated", at: hours(9.5) }))
      expect(later).toMatchObject({ at: hours(9.5) })
      expect(later.clampedFrom).toBeUndefined()
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("a heartbeat that starts a timer inside an entry a person stopped starts it at that entry's end", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0 + 10 * 3_600_000)
      const timers = yield* Timers
      const entries = yield* Entries
      const me = yield* signUp({ source: "hook" })
      yield* me.run(timers.start({ ...session("hooked"), at: at(300) }))
      yield* me.run(timers.stop({ projectName: "hooked", at: at(420) }))
      const beat = yield* me.run(timers.heartbeat({ projectName: "hooked", autoStart: true, since: at(360), at: at(400) }))
      expect(beat.started).toMatchObject({ startedAt: at(420) })
      yield* me.run(timers.stop({ projectName: "hooked", at: at(480) }))
      const listed = (yield* me.run(entries.list({}))).entries
      expect(listed.map((e) => [e.startTime, e.endTime]).reverse()).toEqual([[at(300), at(420)], [at(420), at(480)]])
    }).pipe(Effect.provide(ServiceTest)))
})
