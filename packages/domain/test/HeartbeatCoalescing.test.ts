import { describe, expect, it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import * as Statement from "@effect/sql/Statement"
import { Deferred, Effect, Exit, Fiber, TestClock } from "effect"
import { Timers } from "../src/services/Timers.js"
import { ServiceTest, signUp } from "./lib/ServiceTest.js"
import type { TestAccount } from "./lib/ServiceTest.js"

const T0 = Date.parse("2026-06-01T09:00:00.000Z")

/**
 * Counts the heartbeat statements the code runs (clockme_touch for one caller, clockme_touch_many for several)
 * and the reads of timers (clockme_timers, clockme_timers_many); with `failing.on`, each heartbeat statement
 * fails as a database error would.
 */
const heartbeatStatements = () => {
  const seen = { updates: 0, batches: 0, reads: 0, batchedReads: 0 }
  // `batches`: only statements of several callers fail, as one caught in a deadlock would
  const failing = { on: false, batches: false }
  const transformer: Statement.Statement.Transformer = (statement, sql) =>
    Effect.sync(() => {
      const text = statement.compile()[0]
      if (text.includes("clockme_timers(")) seen.reads++
      if (text.includes("clockme_timers_many(")) seen.batchedReads++
      const one = text.includes("clockme_touch(")
      const many = text.includes("clockme_touch_many(")
      if (!one && !many) return statement
      if (one) seen.updates++
      else seen.batches++
      if (many && failing.batches) {
        return sql`SELECT * FROM clockme_touch_many(NULL, NULL, NULL, NULL, NULL, NULL) WHERE 1 / 0 = 1`
      }
      return failing.on ? sql`SELECT 1 / 0` : statement
    })
  return { seen, failing, counting: Statement.withTransformer(transformer) }
}

/**
 * Runs `heartbeats` at once while the timers of `me` are locked by another transaction, so that the first is in
 * flight (waiting for the lock, or on the embedded database for its one connection) until every other one has
 * arrived. Then `whileHeld` runs in the locking transaction (given the heartbeats' fibers), which commits. Returns what `whileHeld` returned
 * and each heartbeat's exit, in order.
 */
const whileLocked = <A, E, B, E2>(
  me: TestAccount | "table",
  heartbeats: ReadonlyArray<Effect.Effect<A, E, never>>,
  whileHeld: (fibers: ReadonlyArray<Fiber.RuntimeFiber<A, E>>) => Effect.Effect<B, E2, never>
) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const locked = yield* Deferred.make<void>()
    const arrived = yield* Deferred.make<ReadonlyArray<Fiber.RuntimeFiber<A, E>>>()
    const holder = yield* sql.withTransaction(Effect.gen(function*() {
      // "table": every timer, reads included (on PostgreSQL a row lock holds up writes only)
      yield* (me === "table"
        ? sql`LOCK TABLE timers IN ACCESS EXCLUSIVE MODE`
        : sql`SELECT id FROM timers WHERE user_id = ${me.actor.userId} FOR UPDATE`)
      yield* Deferred.succeed(locked, undefined)
      return yield* whileHeld(yield* Deferred.await(arrived))
    })).pipe(Effect.orDie, Effect.fork)
    yield* Deferred.await(locked)
    const fibers = yield* Effect.forEach(heartbeats, (heartbeat) => Effect.fork(heartbeat))
    // every heartbeat has joined (or is the one in flight) once all of them are suspended
    while (!(yield* Effect.forEach(fibers, (fiber) => fiber.status)).every((status) => status._tag === "Suspended")) {
      yield* Effect.yieldNow()
    }
    yield* Deferred.succeed(arrived, fibers)
    const held = yield* Fiber.join(holder)
    return { held, exits: yield* Effect.forEach(fibers, Fiber.await) }
  })

const heartbeatsOf = (me: TestAccount, projectName: string) =>
  Effect.gen(function*() {
    const timers = yield* Timers
    const { timers: running } = yield* me.run(timers.current)
    return running.find((timer) => timer.projectName === projectName)?.heartbeats
  })

/** A new hook account with one running timer on `projectName`, and its heartbeat count so far. */
const hookTimer = (projectName: string, sessionId?: string) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(T0)
    const timers = yield* Timers
    const me = yield* signUp({ source: "hook" })
    yield* me.run(timers.start({ projectName, autoCreate: true, ...(sessionId === undefined ? {} : { sessionId }) }))
    const before = (yield* heartbeatsOf(me, projectName))!
    return { timers, me, before }
  })

describe("Timers: concurrent heartbeats and reads, batched", () => {
  it.effect("arriving while one is in flight, they join one UPDATE: none lost, none counted twice, each answered", () =>
    Effect.gen(function*() {
      const { before, me, timers } = yield* hookTimer("busy")
      const { counting, seen } = heartbeatStatements()
      const { exits } = yield* counting(whileLocked(me, Array.from({ length: 20 }, () => me.run(timers.heartbeat({}))), () => Effect.void))
      expect(seen.updates).toBe(2)
      const counts = exits.map((exit) => Exit.isSuccess(exit) ? exit.value.touched.map((timer) => timer.heartbeats) : "failed")
      // the first ran alone; the other 19 were summed into one UPDATE and all got its answer
      expect(counts[0]).toEqual([before + 1])
      expect(counts.slice(1)).toEqual(Array.from({ length: 19 }, () => [before + 20]))
      expect(yield* heartbeatsOf(me, "busy")).toBe(before + 20)
      // nothing is left in flight: the next heartbeat runs at once, alone
      expect((yield* counting(me.run(timers.heartbeat({ count: 3 })))).touched[0]?.heartbeats).toBe(before + 23)
      expect(seen.updates).toBe(3)
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("only heartbeats of the same session and branch join; counts given with `count` add up", () =>
    Effect.gen(function*() {
      const { before, me, timers } = yield* hookTimer("shared", "a")
      const { counting, seen } = heartbeatStatements()
      const beats = [
        ...Array.from({ length: 5 }, () => me.run(timers.heartbeat({ sessionId: "a", count: 2 }))),
        ...Array.from({ length: 5 }, () => me.run(timers.heartbeat({ sessionId: "b" }))),
        ...Array.from({ length: 3 }, () => me.run(timers.heartbeat({ sessionId: "b", gitBranch: "main" })))
      ]
      const { exits } = yield* counting(whileLocked(me, beats, () => Effect.void))
      expect(exits.every(Exit.isSuccess)).toBe(true)
      // the first ran alone; then each key's heartbeats summed, one statement at a time (one user's timers)
      expect(seen.updates).toBe(4)
      expect(seen.batches).toBe(0)
      expect(yield* heartbeatsOf(me, "shared")).toBe(before + 5 * 2 + 5 + 3)
      const { timers: [timer] } = yield* me.run(timers.current)
      expect(timer?.sessions).toBe(2)
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("a failed UPDATE reaches every heartbeat that joined it; the next one runs afresh", () =>
    Effect.gen(function*() {
      const { before, me, timers } = yield* hookTimer("flaky")
      const { counting, failing, seen } = heartbeatStatements()
      // the first UPDATE is already under way when the database starts failing: only the joined one fails
      const { exits } = yield* counting(
        whileLocked(me, Array.from({ length: 6 }, () => me.run(timers.heartbeat({}))), () => Effect.sync(() => failing.on = true))
      )
      expect(seen.updates).toBe(2)
      expect(Exit.isSuccess(exits[0]!)).toBe(true)
      expect(exits.slice(1).map((exit) => Exit.isFailure(exit) && Exit.isInterrupted(exit) === false)).toEqual(
        Array.from({ length: 5 }, () => true)
      )
      expect(yield* heartbeatsOf(me, "flaky")).toBe(before + 1)
      failing.on = false
      expect((yield* counting(me.run(timers.heartbeat({})))).touched[0]?.heartbeats).toBe(before + 2)
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("a heartbeat interrupted after it joined still counts; the others get their answer", () =>
    Effect.gen(function*() {
      const { before, me, timers } = yield* hookTimer("gone")
      const { exits } = yield* whileLocked(me, Array.from({ length: 5 }, () => me.run(timers.heartbeat({}))), (fibers) => Fiber.interrupt(fibers[3]!))
      expect(Exit.isInterrupted(exits[3]!)).toBe(true)
      const answered = exits.filter(Exit.isSuccess).map((exit) => exit.value.touched[0]?.heartbeats)
      expect(answered).toEqual([before + 1, before + 5, before + 5, before + 5])
      expect(yield* heartbeatsOf(me, "gone")).toBe(before + 5)
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("inside a caller's transaction a heartbeat runs there, never joined to one in flight outside it", () =>
    Effect.gen(function*() {
      const { before, me, timers } = yield* hookTimer("tx")
      // joined to the heartbeat outside, which waits for this very transaction, it would never end
      const { exits, held } = yield* whileLocked(me, [me.run(timers.heartbeat({}))], () => me.run(timers.heartbeat({})))
      expect(held.touched[0]?.heartbeats).toBe(before + 1)
      expect(exits.map((exit) => Exit.isSuccess(exit) ? exit.value.touched[0]?.heartbeats : "failed")).toEqual([before + 2])
      expect(yield* heartbeatsOf(me, "tx")).toBe(before + 2)
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("heartbeats of different users that wait go together in one statement, each answered with its own timers", () =>
    Effect.gen(function*() {
      const users = yield* Effect.forEach(["u0", "u1", "u2", "u3", "u4", "u5"], (name) => hookTimer(name))
      const { timers } = users[0]!
      const { counting, seen } = heartbeatStatements()
      // one statement in flight (held by the lock), then u1..u5 wait; u3 twice, and u4 on a session of its own
      const beats = [
        ...users.map(({ me }) => me.run(timers.heartbeat({}))),
        users[3]!.me.run(timers.heartbeat({ count: 2 })),
        users[4]!.me.run(timers.heartbeat({ sessionId: "s4" }))
      ]
      const { exits } = yield* counting(whileLocked("table", beats, () => Effect.void))
      const answered = exits.map((exit) =>
        Exit.isSuccess(exit) ? exit.value.touched.map((timer) => `${timer.projectName}:${timer.heartbeats}`) : "failed"
      )
      const before = users.map(({ before }) => before)
      expect(answered).toEqual([
        [`u0:${before[0]! + 1}`],
        [`u1:${before[1]! + 1}`],
        [`u2:${before[2]! + 1}`],
        [`u3:${before[3]! + 3}`],
        [`u4:${before[4]! + 1}`],
        [`u5:${before[5]! + 1}`],
        [`u3:${before[3]! + 3}`],
        // u4's second heartbeat (another session) waited for its first: counted after it
        [`u4:${before[4]! + 2}`]
      ])
      // u0 alone; u1..u5 in one statement; then u4's other session alone
      expect(seen).toMatchObject({ updates: 2, batches: 1 })
      for (const [index, { me }] of users.entries()) {
        expect(yield* heartbeatsOf(me, `u${index}`)).toBe(before[index]! + [1, 1, 1, 3, 2, 1][index]!)
      }
      const { timers: [u4] } = yield* users[4]!.me.run(timers.current)
      expect(u4?.sessions).toBe(1)
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("a failed batch is run again one heartbeat at a time: every one counted once and answered", () =>
    Effect.gen(function*() {
      const users = yield* Effect.forEach(["f0", "f1", "f2", "f3", "f4"], (name) => hookTimer(name))
      const { timers } = users[0]!
      const { counting, failing, seen } = heartbeatStatements()
      failing.batches = true
      const { exits } = yield* counting(whileLocked("table", users.map(({ me }) => me.run(timers.heartbeat({}))), () => Effect.void))
      // f0 alone; f1..f4 together, which failed; then each of them alone
      expect(seen).toMatchObject({ updates: 5, batches: 1 })
      expect(exits.map((exit) => Exit.isSuccess(exit) ? exit.value.touched[0]?.heartbeats : "failed")).toEqual(
        users.map(({ before }) => before + 1)
      )
      for (const [index, { me }] of users.entries()) expect(yield* heartbeatsOf(me, `f${index}`)).toBe(users[index]!.before + 1)
    }).pipe(Effect.provide(ServiceTest)))

  it.effect("reads of timers that wait go together in one statement; a user's reads that waited share one", () =>
    Effect.gen(function*() {
      const users = yield* Effect.forEach(["r0", "r1", "r2", "r3"], (name) => hookTimer(name))
      const { timers } = users[0]!
      const { counting, seen } = heartbeatStatements()
      const reads = [...users.map(({ me }) => me.run(timers.current)), users[3]!.me.run(timers.current)]
      const { exits } = yield* counting(whileLocked("table", reads, () => Effect.void))
      expect(exits.map((exit) => Exit.isSuccess(exit) ? exit.value.timers.map((timer) => timer.projectName) : "failed")).toEqual(
        [["r0"], ["r1"], ["r2"], ["r3"], ["r3"]]
      )
      // r0 alone, the rest in one statement
      expect(seen).toMatchObject({ reads: 1, batchedReads: 1 })
    }).pipe(Effect.provide(ServiceTest)))
})
