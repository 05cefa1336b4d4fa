import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber } from "effect"
import { batched } from "../src/services/Batch.js"

interface Call {
  readonly user: string
  readonly tag: string
  readonly n: number
}

/**
 * A batcher over a fake statement: each run is recorded with its inputs and waits until the test lets it end
 * (`finish(i)`), answering each input its user and summed n, or failing when `fail` names a user in it.
 */
const harness = (concurrency: number, maxSize = 64) =>
  Effect.gen(function*() {
    const runs: Array<{ readonly inputs: ReadonlyArray<Call>; readonly gate: Deferred.Deferred<void> }> = []
    const fail = new Set<string>()
    const call = batched({
      key: (c: Call) => `${c.user}/${c.tag}`,
      slot: (c: Call) => c.user,
      merge: (pending, c) => ({ ...pending, n: pending.n + c.n }),
      run: (inputs) =>
        Effect.gen(function*() {
          const gate = yield* Deferred.make<void>()
          runs.push({ inputs, gate })
          yield* Deferred.await(gate)
          if (inputs.some((c) => fail.has(c.user))) return yield* Effect.fail(`failed: ${inputs.map((c) => c.user).join(",")}`)
          return inputs.map((c) => `${c.user}:${c.n}`)
        }),
      concurrency,
      maxSize
    })
    // the run's callers are answered, and the next batch is forked and started, within a few turns of the scheduler
    const finish = (index: number) =>
      Effect.zipRight(Deferred.succeed(runs[index]!.gate, undefined), Effect.repeatN(Effect.yieldNow(), 20))
    return { call, runs, fail, finish }
  })

/** Forks the calls and lets them run until each has started its own run or joined a waiting one. */
const forkAll = <A, E>(effects: ReadonlyArray<Effect.Effect<A, E>>) =>
  Effect.gen(function*() {
    const fibers = yield* Effect.forEach(effects, (effect) => Effect.fork(effect))
    while (!(yield* Effect.forEach(fibers, (fiber) => fiber.status)).every((status) => status._tag === "Suspended")) {
      yield* Effect.yieldNow()
    }
    return fibers
  })

/** Lets the event loop turn once (the batcher's gathering ends), then the forked runs start. */
const aTurn = Effect.zipRight(
  Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve))),
  Effect.repeatN(Effect.yieldNow(), 20)
)

const inputsOf = (runs: ReadonlyArray<{ readonly inputs: ReadonlyArray<Call> }>) =>
  runs.map((run) => run.inputs.map((c) => `${c.user}/${c.tag}:${c.n}`))

describe("batched", () => {
  it.effect("an idle batcher runs each call at once, alone, in its caller's fiber", () =>
    Effect.gen(function*() {
      const { call, finish, runs } = yield* harness(2)
      const [a] = yield* forkAll([call({ user: "a", tag: "x", n: 1 })])
      expect(inputsOf(runs)).toEqual([["a/x:1"]])
      yield* finish(0)
      expect(yield* Fiber.join(a!)).toBe("a:1")
      const [b] = yield* forkAll([call({ user: "b", tag: "x", n: 2 })])
      yield* finish(1)
      expect(yield* Fiber.join(b!)).toBe("b:2")
      expect(inputsOf(runs)).toEqual([["a/x:1"], ["b/x:2"]])
    }))

  it.effect("calls that find a run in flight wait a turn of the event loop and go together, merged by key, one per slot", () =>
    Effect.gen(function*() {
      const { call, finish, runs } = yield* harness(2)
      const fibers = yield* forkAll([
        call({ user: "a", tag: "x", n: 1 }),
        // a is in flight: these wait for the turn to end
        call({ user: "b", tag: "x", n: 1 }),
        call({ user: "c", tag: "x", n: 1 }),
        call({ user: "d", tag: "x", n: 1 }),
        call({ user: "c", tag: "x", n: 5 }),
        call({ user: "d", tag: "y", n: 7 }),
        call({ user: "e", tag: "x", n: 1 })
      ])
      expect(inputsOf(runs)).toEqual([["a/x:1"]])
      yield* aTurn
      // c's two calls are summed; d/y waits for the next run, its slot being taken by d/x
      expect(inputsOf(runs)).toEqual([["a/x:1"], ["b/x:1", "c/x:6", "d/x:1", "e/x:1"]])
      // both runs are in flight: these wait for one to end, however many turns pass
      const later = yield* forkAll([call({ user: "f", tag: "x", n: 1 }), call({ user: "g", tag: "x", n: 1 })])
      yield* aTurn
      expect(runs.length).toBe(2)
      yield* finish(0)
      // d is still in flight, so d/y stays behind
      expect(inputsOf(runs)[2]).toEqual(["f/x:1", "g/x:1"])
      yield* finish(1)
      expect(inputsOf(runs)[3]).toEqual(["d/y:7"])
      yield* finish(2)
      yield* finish(3)
      const answers = yield* Effect.forEach([...fibers, ...later], Fiber.join)
      expect(answers).toEqual(["a:1", "b:1", "c:6", "d:1", "c:6", "d:7", "e:1", "f:1", "g:1"])
    }))

  it.effect("a call waits while a run of its slot is in flight, even with room for another run", () =>
    Effect.gen(function*() {
      const { call, finish, runs } = yield* harness(4)
      const fibers = yield* forkAll([call({ user: "a", tag: "x", n: 1 }), call({ user: "a", tag: "x", n: 1 }), call({ user: "a", tag: "x", n: 1 })])
      expect(inputsOf(runs)).toEqual([["a/x:1"]])
      yield* finish(0)
      expect(inputsOf(runs)[1]).toEqual(["a/x:2"])
      yield* finish(1)
      expect(yield* Effect.forEach(fibers, Fiber.join)).toEqual(["a:1", "a:2", "a:2"])
    }))

  it.effect("a batch holds at most maxSize calls; the rest go in the next", () =>
    Effect.gen(function*() {
      const { call, finish, runs } = yield* harness(1, 2)
      const fibers = yield* forkAll(["a", "b", "c", "d", "e"].map((user) => call({ user, tag: "x", n: 1 })))
      yield* finish(0)
      expect(inputsOf(runs)[1]).toEqual(["b/x:1", "c/x:1"])
      yield* finish(1)
      expect(inputsOf(runs)[2]).toEqual(["d/x:1", "e/x:1"])
      yield* finish(2)
      expect(yield* Effect.forEach(fibers, Fiber.join)).toEqual(["a:1", "b:1", "c:1", "d:1", "e:1"])
    }))

  it.effect("a failed batch is run again one call at a time: each gets its own outcome; the next runs afresh", () =>
    Effect.gen(function*() {
      const { call, fail, finish, runs } = yield* harness(1)
      const fibers = yield* forkAll([
        call({ user: "a", tag: "x", n: 1 }),
        call({ user: "b", tag: "x", n: 1 }),
        call({ user: "c", tag: "x", n: 1 }),
        call({ user: "b", tag: "y", n: 1 })
      ])
      fail.add("b")
      for (let run = 0; run < 5; run++) yield* finish(run)
      expect(inputsOf(runs)).toEqual([["a/x:1"], ["b/x:1", "c/x:1"], ["b/x:1"], ["c/x:1"], ["b/y:1"]])
      const exits = yield* Effect.forEach(fibers, Fiber.await)
      expect(exits.map((exit) => Exit.isSuccess(exit) ? exit.value : Exit.isFailure(exit) ? "failed" : "?")).toEqual(
        ["a:1", "failed", "c:1", "failed"]
      )
      fail.delete("b")
      const [next] = yield* forkAll([call({ user: "b", tag: "x", n: 1 })])
      yield* finish(5)
      expect(yield* Fiber.join(next!)).toBe("b:1")
    }))

  it.effect("an interrupted waiting call still counts, and the others get their answer", () =>
    Effect.gen(function*() {
      const { call, finish, runs } = yield* harness(1)
      const fibers = yield* forkAll([
        call({ user: "a", tag: "x", n: 1 }),
        call({ user: "b", tag: "x", n: 1 }),
        call({ user: "b", tag: "x", n: 1 })
      ])
      yield* Fiber.interrupt(fibers[1]!)
      yield* finish(0)
      yield* finish(1)
      expect(inputsOf(runs)).toEqual([["a/x:1"], ["b/x:2"]])
      expect(yield* Fiber.join(fibers[2]!)).toBe("b:2")
      expect(Exit.isInterrupted(yield* Fiber.await(fibers[1]!))).toBe(true)
    }))

  it.effect("an interrupted lone call frees its slot: the waiting calls run next", () =>
    Effect.gen(function*() {
      const { call, finish, runs } = yield* harness(1)
      const fibers = yield* forkAll([call({ user: "a", tag: "x", n: 1 }), call({ user: "a", tag: "x", n: 3 })])
      yield* Fiber.interrupt(fibers[0]!)
      expect(inputsOf(runs)).toEqual([["a/x:1"], ["a/x:3"]])
      yield* finish(1)
      expect(yield* Fiber.join(fibers[1]!)).toBe("a:3")
    }))
})
