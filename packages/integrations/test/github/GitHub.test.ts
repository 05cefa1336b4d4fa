import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { formatMinutes, parseDuration } from "../../src/github/Duration.js"
import { verifySignature } from "../../src/github/GitHub.js"

describe("GitHub", () => {
  it.effect("X-Hub-Signature-256: GitHub's published test vector, and what is not it", () =>
    Effect.gen(function*() {
      const secret = "It's a Secret to Everybody"
      const vector = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
      expect(yield* verifySignature(secret, "Hello, World!", vector)).toBe(true)
      expect(yield* verifySignature(secret, "Hello, World?", vector)).toBe(false)
      expect(yield* verifySignature("another secret", "Hello, World!", vector)).toBe(false)
      for (const bad of ["", "sha256=", vector.slice(0, -1), `${vector}0`, `sha1=${vector.slice(7)}`, "sha256=" + "é".repeat(64)]) {
        expect([bad, yield* verifySignature(secret, "Hello, World!", bad)]).toEqual([bad, false])
      }
    }))

  it("durations: 1h30m, 90m, 1.5h; nothing else", () => {
    expect([parseDuration("1h30m"), parseDuration("90m"), parseDuration("1.5h"), parseDuration("2h"), parseDuration("45M")])
      .toEqual([90, 90, 90, 120, 45])
    for (const bad of ["", "h", "m", "90", "1.5m", "-1h", "25h", "0m", "1h 30m", "abc"]) {
      expect([bad, parseDuration(bad)]).toEqual([bad, undefined])
    }
    expect([formatMinutes(90), formatMinutes(45), formatMinutes(120)]).toEqual(["1h 30m", "45m", "2h"])
  })
})
