import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { PINNED_PRICES } from "../src/services/PinnedPrices.js"
import { computeCost, priceOf, readPriceFile } from "../src/services/Prices.js"

type Kind = "inputTokens" | "outputTokens" | "cacheReadTokens" | "cacheCreationTokens"

const only = (kind: Kind, n: number) => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, [kind]: n })

// Dollars for 100 000 tokens of each kind (below the long-context threshold), worked by hand from Anthropic's
// dollars per million: input, output, cache read, cache write (5 minutes).
const below: Record<string, readonly [string, string, string, string]> = {
  "claude-opus-4-6": ["0.5", "2.5", "0.05", "0.625"],
  "claude-opus-4-5-20251101": ["0.5", "2.5", "0.05", "0.625"],
  "claude-opus-4-1-20250805": ["1.5", "7.5", "0.15", "1.875"],
  "claude-opus-4-20250514": ["1.5", "7.5", "0.15", "1.875"],
  "claude-3-opus-20240229": ["1.5", "7.5", "0.15", "1.875"],
  "claude-sonnet-4-6": ["0.3", "1.5", "0.03", "0.375"],
  "claude-sonnet-4-5-20250929": ["0.3", "1.5", "0.03", "0.375"],
  "claude-sonnet-4-20250514": ["0.3", "1.5", "0.03", "0.375"],
  "claude-3-7-sonnet-20250219": ["0.3", "1.5", "0.03", "0.375"],
  "claude-3-5-sonnet-20241022": ["0.3", "1.5", "0.03", "0.375"],
  "claude-haiku-4-5-20251001": ["0.1", "0.5", "0.01", "0.125"],
  "claude-3-5-haiku-20241022": ["0.08", "0.4", "0.008", "0.1"],
  "claude-3-haiku-20240307": ["0.025", "0.125", "0.003", "0.03"]
}

// Dollars for 300 000 tokens of one input kind alone (fresh, cache read, cache write), past the threshold, so at
// the long-context rates (per million:
// Sonnet 4.x $6 in, $22.50 out, $0.60 read, $7.50 write; Opus 4.6 $10, $37.50, $1, $12.50).
const above: Record<string, readonly [string, string, string]> = {
  "claude-opus-4-6": ["3", "0.3", "3.75"],
  "claude-sonnet-4-6": ["1.8", "0.18", "2.25"],
  "claude-sonnet-4-5-20250929": ["1.8", "0.18", "2.25"],
  "claude-sonnet-4-20250514": ["1.8", "0.18", "2.25"]
}

const dollars = (figure: string) => {
  const [whole, fraction = ""] = figure.split(".")
  return `${whole}.${fraction.padEnd(12, "0")}`
}

describe("the pinned price table", () => {
  const kinds: ReadonlyArray<Kind> = ["inputTokens", "outputTokens", "cacheReadTokens", "cacheCreationTokens"]

  it.each(Object.entries(below))("prices each token kind of %s at its own rate", (model, figures) => {
    kinds.forEach((kind, i) => expect(computeCost(model, only(kind, 100_000)), `${model} ${kind}`).toBe(dollars(figures[i]!)))
  })

  it.each(Object.entries(above))("bills %s at its long-context rates once the input passes 200 000 tokens", (model, figures) => {
    const input: ReadonlyArray<Kind> = ["inputTokens", "cacheReadTokens", "cacheCreationTokens"]
    input.forEach((kind, i) => expect(computeCost(model, only(kind, 300_000)), `${model} ${kind}`).toBe(dollars(figures[i]!)))
  })

  it("every model of the table is covered by the figures above", () => {
    const covered = Object.keys(below).map((model) => priceOf(model))
    for (const price of Object.values(PINNED_PRICES.models)) expect(covered).toContain(price)
    const tiered = Object.values(PINNED_PRICES.models).filter((price) => price.input_cost_per_token_above_200k_tokens !== undefined)
    expect(tiered).toHaveLength(Object.keys(above).length)
  })

  it("bills a whole request at the long-context rates once its input passes 200 000 tokens", () => {
    const model = "claude-sonnet-4-5-20250929"
    // 150 000 × 3 + 2 000 × 15 + 40 000 × 0.30 + 10 000 × 3.75 (per million) = 0.45 + 0.03 + 0.012 + 0.0375
    expect(computeCost(model, { inputTokens: 150_000, outputTokens: 2_000, cacheReadTokens: 40_000, cacheCreationTokens: 10_000 }))
      .toBe("0.529500000000")
    // one token more: 150 001 × 6 + 2 000 × 22.50 + 40 000 × 0.60 + 10 000 × 7.50 = 0.900006 + 0.045 + 0.024 + 0.075
    expect(computeCost(model, { inputTokens: 150_001, outputTokens: 2_000, cacheReadTokens: 40_000, cacheCreationTokens: 10_000 }))
      .toBe("1.044006000000")
    // output alone never crosses the threshold: 300 000 × $15
    expect(computeCost(model, only("outputTokens", 300_000))).toBe("4.500000000000")
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
    expect(computeCost("claude-haiku-4-5", only("inputTokens", 1))).toBe("0.000001000000")
  })

  it("matches dated ids and the [1m] suffix by the longest prefix, and knows no other model", () => {
    expect(priceOf("claude-opus-4-1-20250805")?.input_cost_per_token).toBe(15e-6)
    expect(priceOf("claude-opus-4-5-20251101")?.input_cost_per_token).toBe(5e-6)
    expect(priceOf("claude-sonnet-4-5[1m]")?.input_cost_per_token_above_200k_tokens).toBe(6e-6)
    expect(priceOf("claude-sonnet-40")).toBeUndefined()
    expect(priceOf("gpt-5-codex")).toBeUndefined()
    expect(computeCost("gpt-5-codex", only("inputTokens", 1000))).toBeUndefined()
  })
})

describe("a price file", () => {
  const litellm = {
    sample_spec: { input_cost_per_token: 0, output_cost_per_token: 0, max_input_tokens: "max input tokens" },
    "gpt-5-codex": {
      input_cost_per_token: 1.25e-6,
      output_cost_per_token: 1e-5,
      cache_read_input_token_cost: 1.25e-7,
      litellm_provider: "openai",
      mode: "chat"
    },
    "claude-sonnet-4-5": { input_cost_per_token: 3.3e-6, output_cost_per_token: 1.65e-5 },
    "dall-e-3": { output_cost_per_image: 0.04, litellm_provider: "openai" }
  }

  it("is read as LiteLLM's shape: its priced models, versioned by day and content", () => {
    const table = Either.getOrThrow(readPriceFile(JSON.stringify(litellm), "2026-12-07"))
    expect(Object.keys(table.models).sort()).toEqual(["claude-sonnet-4-5", "gpt-5-codex"])
    expect(table.version).toMatch(/^litellm-2026-12-07-[0-9a-f]{12}$/)
    expect(Either.getOrThrow(readPriceFile(JSON.stringify(litellm), "2026-12-07")).version).toBe(table.version)
    // 1 000 000 × 1.25 + 1 000 000 × 0.125 (cache read) + 1 000 000 cache writes billed as fresh input, 1.25
    expect(computeCost("gpt-5-codex", { inputTokens: 1e6, outputTokens: 0, cacheReadTokens: 1e6, cacheCreationTokens: 1e6 }, table))
      .toBe("2.625000000000")
    expect(computeCost("claude-sonnet-4-5-20250929", only("outputTokens", 1e6), table)).toBe("16.500000000000")
    expect(computeCost("claude-haiku-4-5", only("outputTokens", 1e6), table)).toBeUndefined()
  })

  it.each([
    ["not JSON", "{", /not JSON/],
    ["an array", "[]", /a JSON object of models, not an array/],
    ["a number", "3", /does not have LiteLLM's shape: at the file: Expected PriceFile, actual 3/],
    ["a price as text", JSON.stringify({ "m-1": { input_cost_per_token: "3e-6" } }), /at "m-1" → "input_cost_per_token": Expected number, actual "3e-6"/],
    ["a negative price", JSON.stringify({ "m-1": { output_cost_per_token: -1 } }), /at "m-1" → "output_cost_per_token": must not be negative/],
    ["a model that is not an object", JSON.stringify({ "m-1": 3 }), /at "m-1": Expected \{/],
    ["no priced model", JSON.stringify({ "dall-e-3": { output_cost_per_image: 0.04 } }), /prices no model/]
  ])("is refused when it is %s, naming the problem", (_, text, message) => {
    const read = readPriceFile(text, "2026-12-07")
    expect(Either.isLeft(read) && read.left).toMatch(message)
  })
})
