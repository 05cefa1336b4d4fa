import { describe, expect, it } from "@effect/vitest"
import { Context, Deferred, Effect, Fiber, Layer, Option, Schedule } from "effect"
import type { KeyAdmission } from "../src/repos/AccountsRepo.js"
import { AdmissionCache, sharedPostgres } from "../src/services/AdmissionCache.js"
import { AdmissionListenerLive } from "../src/services/AdmissionListener.js"
import { WorkerDatabase } from "./lib/ServiceTest.js"

/** Stands for the row the database answered at one moment: the cache only keeps it and hands it back. */
const answer = (label: string) => ({ label }) as unknown as KeyAdmission
const labelOf = (row: KeyAdmission | undefined) => (row as unknown as { label: string } | undefined)?.label

describe("AdmissionListener (PostgreSQL: two nodes on one database)", () => {
  it.scoped("only a PostgreSQL server is shared: the embedded database (one process owns it) gets no listener and no NOTIFY", () =>
    Effect.gen(function*() {
      const database = yield* Layer.build(WorkerDatabase)
      expect(Option.isSome(yield* Effect.provide(sharedPostgres, database))).toBe(Boolean(process.env.DATABASE_URL))
    }))

  it.scopedLive.skipIf(!process.env.DATABASE_URL)(
    "a change announced by one node empties the other's cache when it commits, and a row read meanwhile is not kept",
    () =>
      Effect.gen(function*() {
        const database = yield* Layer.build(WorkerDatabase)
        /** A node's cache, with its listener when `listening`. */
        const node = (listening: boolean) =>
          Effect.gen(function*() {
            const cache = yield* Effect.provide(Layer.build(Layer.fresh(AdmissionCache.Default)), database)
            if (listening) yield* Effect.provide(Layer.build(AdmissionListenerLive), Context.merge(database, cache))
            return Context.get(cache, AdmissionCache)
          })
        const [one, other] = [yield* node(false), yield* node(true)]
        const read = (cache: AdmissionCache, hash: string, label: string) =>
          Effect.map(cache.through(hash, Effect.succeed(answer(label))), labelOf)
        /** What `other` answers for `hash` once it has heard `one`, asked every 10 ms for at most 1.5 s. */
        const heard = (hash: string, label: string) =>
          read(other, hash, label).pipe(
            Effect.filterOrFail((seen) => seen === label),
            Effect.retry(Schedule.spaced("10 millis")),
            Effect.timeoutFail({ duration: "1500 millis", onTimeout: () => `"${hash}" still cached 1.5 s after the change` })
          )

        expect(yield* read(other, "alice", "before")).toBe("before")
        expect(yield* read(other, "alice", "after")).toBe("before")

        // a change rolled back announces nothing (a NOTIFY sent outside its transaction reached `other` before this read)
        const failed = yield* one.invalidating(Effect.fail("refused")).pipe(Effect.flip)
        expect(failed).toBe("refused")
        expect(yield* read(other, "alice", "after")).toBe("before")

        yield* one.invalidating(Effect.void)
        expect(yield* heard("alice", "after")).toBe("after")

        // a row whose read began before the change committed is handed back once, never kept
        const reading = yield* Deferred.make<void>()
        const slow = yield* other.through("bob", Effect.as(Deferred.await(reading), answer("stale"))).pipe(Effect.fork)
        expect(yield* read(other, "carol", "before")).toBe("before")
        yield* one.invalidating(Effect.void)
        expect(yield* heard("carol", "after")).toBe("after")
        yield* Deferred.succeed(reading, undefined)
        expect(labelOf(yield* Fiber.join(slow))).toBe("stale")
        expect(yield* read(other, "bob", "fresh")).toBe("fresh")
      }),
    30_000
  )
})
