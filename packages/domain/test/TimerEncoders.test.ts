import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, FastCheck as fc, Schema } from "effect"
import { CurrentTimers, HeartbeatResult, TimerView } from "../src/contract/Timer.js"
import { UsageSummary } from "../src/contract/Usage.js"
import type { ShapedEncoder } from "../src/contract/TimerEncoders.js"
import { shapedEncoderOf } from "../src/contract/TimerEncoders.js"

const schemas = { TimerView, HeartbeatResult, CurrentTimers } as const

/**
 * Runs `encoder` on generated values of `schema`: where it answers, its JSON must be byte for byte the schema's.
 * Counts how often it answered, so that a property passing only because it always gave up is seen.
 */
const agreement = (schema: Schema.Schema.Any, encoder: ShapedEncoder, runs: number) => {
  const encode = Schema.encodeSync(schema as Schema.Schema<unknown, unknown>)
  let answered = 0
  const result = fc.check(
    fc.property(Arbitrary.make(schema as Schema.Schema<unknown, unknown>), (value) => {
      const shaped = encoder(value)
      if (shaped === undefined) return true
      answered += 1
      return JSON.stringify(shaped) === JSON.stringify(encode(value))
    }),
    { numRuns: runs, seed: 20261207 }
  )
  return { failed: result.failed, answered }
}

describe("shaped timer encoders", () => {
  for (const [name, schema] of Object.entries(schemas)) {
    it(`${name}: the same JSON as Schema.encode on generated values`, () => {
      const encoder = shapedEncoderOf(schema)!
      const { answered, failed } = agreement(schema, encoder, 1000)
      expect(failed).toBe(false)
      // most generated values are the shaped encoder's to answer (a heartbeat that extended an entry is not)
      expect(answered).toBeGreaterThan(400)
    })
  }

  it("gives up on a value the schema refuses, for the schema to refuse it", () => {
    const view = fc.sample(Arbitrary.make(TimerView), { numRuns: 1, seed: 1 })[0]!
    const encoder = shapedEncoderOf(TimerView)!
    expect(encoder(view)).toBeDefined()
    const refused = [
      { ...view, id: "not-a-uuid" },
      new TimerView({ ...view, source: "elsewhere" as never }, true),
      new TimerView({ ...view, heartbeats: "3" as never }, true),
      new TimerView({ ...view, usage: { ...view.usage, requests: 1.5 } as never }, true),
      new TimerView({ ...view, usage: new UsageSummary({ ...view.usage, models: [1] as never }, true) }, true),
      new TimerView({ ...view, id: "not-a-uuid" as never }, true)
    ]
    for (const value of refused) {
      expect(encoder(value)).toBeUndefined()
      if (value instanceof TimerView) expect(() => Schema.encodeSync(TimerView)(value)).toThrow()
    }
    expect(shapedEncoderOf(HeartbeatResult)!(new HeartbeatResult({ touched: [view], started: null, extended: null, at: view.startedAt })))
      .toEqual(Schema.encodeSync(HeartbeatResult)(new HeartbeatResult({ touched: [view], started: null, extended: null, at: view.startedAt })))
  })

  it("the property bites: an encoder that drifted from the schema fails it", () => {
    const encoder = shapedEncoderOf(TimerView)!
    const dropsAField: ShapedEncoder = (value) => {
      const out = encoder(value) as Record<string, unknown> | undefined
      if (out === undefined) return undefined
      const { pauses: _, ...rest } = out
      return rest
    }
    const reordered: ShapedEncoder = (value) => {
      const out = encoder(value) as Record<string, unknown> | undefined
      return out === undefined ? undefined : { projectId: out.projectId, ...out }
    }
    expect(agreement(TimerView, dropsAField, 200).failed).toBe(true)
    expect(agreement(TimerView, reordered, 200).failed).toBe(true)
    // a field added to the schema and not to the encoder
    const Extended = TimerView.extend<TimerView & { readonly note: string }>("Extended")({ note: Schema.String })
    expect(agreement(Extended, (value) => encoder(Object.setPrototypeOf({ ...(value as object) }, TimerView.prototype)), 200).failed)
      .toBe(true)
  })
})
