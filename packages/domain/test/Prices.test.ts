import { describe, expect, it } from "vitest"
import { computeCost, priceOf } from "../src/services/Prices.js"

const only = (kind: "inputTokens" | "outputTokens" | "cacheReadTokens" | "cacheCreationTokens", n: number) => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheCreationTokens: 0,
  [kind]: n
})

// Figures worked by hand from the table's dollars per million tokens.
describe("the pinned price table", () => {
  it("prices each token kind at its own rate (Sonnet 4.5: $3 in, $15 out, $0.30 cache read, $3.75 cache write)", () => {
    const model = "claude-sonnet-4-5-20250929"
    expect(computeCost(model, only("inputTokens", 1000))).toBe("0.003000000000")
    expect(computeCost(model, only("outputTokens", 1000))).toBe("0.015000000000")
    expect(computeCost(model, only("cacheReadTokens", 1000))).toBe("0.000300000000")
    expect(computeCost(model, only("cacheCreationTokens", 1000))).toBe("0.003750000000")
    expect(computeCost(model, only("inputTokens", 1))).toBe("0.000003000000")
  })

  it("bills a whole request at the long-context rates once its input passes 200 000 tokens", () => {
    const model = "claude-sonnet-4-5-20250929"
    // 150 000 × 3 + 2 000 × 15 + 40 000 × 0.30 + 10 000 × 3.75 (per million) = 0.45 + 0.03 + 0.012 + 0.0375
    expect(computeCost(model, { inputTokens: 150_000, outputTokens: 2_000, cacheReadTokens: 40_000, cacheCreationTokens: 10_000 }))
      .toBe("0.529500000000")
    // one token more: 150 001 × 6 + 2 000 × 22.50 + 40 000 × 0.60 + 10 000 × 7.50 = 0.900006 + 0.045 + 0.024 + 0.075
    expect(computeCost(model, { inputTokens: 150_001, outputTokens: 2_000, cacheReadTokens: 40_000, cacheCreationTokens: 10_000 }))
      .toBe("1.044006000000")
    // a model without a long-context tier keeps its rates: 300 000 × $5
    expect(computeCost("claude-opus-4-5-20251101", only("inputTokens", 300_000))).toBe("1.500000000000")
  })

  it("sums the kinds exactly (Haiku 4.5, a million of each: 1 + 5 + 0.10 + 1.25)", () => {
    expect(computeCost("claude-haiku-4-5-20251001", {
      inputTokens: 1_000_000,
      outputTokens: 1_000_000,
      cacheReadTokens: 1_000_000,
      cacheCreationTokens: 1_000_000
    })).toBe("7.350000000000")
  })

  it("matches dated ids and the [1m] suffix by the longest prefix, and knows no other model", () => {
    expect(priceOf("claude-opus-4-1-20250805")?.input).toBe(15)
    expect(priceOf("claude-opus-4-5-20251101")?.input).toBe(5)
    expect(priceOf("claude-sonnet-4-5[1m]")?.longContext?.input).toBe(6)
    expect(priceOf("claude-sonnet-40")).toBeUndefined()
    expect(priceOf("gpt-5-codex")).toBeUndefined()
    expect(computeCost("gpt-5-codex", only("inputTokens", 1000))).toBeUndefined()
  })
})
