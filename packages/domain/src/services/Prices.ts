import type { TokenCounts } from "../contract/Usage.js"

/**
 * The price table pinned in the package, for offline use: US dollars per million tokens.
 * Source: Anthropic's pricing page (docs.anthropic.com/en/docs/about-claude/pricing, "Model pricing" and
 * "Long context pricing"), read 2026-03. The 4.6 models' figures were taken from a third-party summary of that
 * page (March 2026), not checked against it. A request whose
 * input (fresh, cache read and cache write together) exceeds 200 000 tokens is billed entirely at the
 * long-context rates, as that page says, on the models that have them.
 */
export const PRICE_TABLE_VERSION = "anthropic-2026-03"

export interface Rates {
  readonly input: number
  readonly output: number
  readonly cacheRead: number
  /** 5-minute cache writes, which is what Claude Code's cache_creation_tokens are billed at. */
  readonly cacheWrite: number
}

export interface ModelPrice extends Rates {
  readonly longContext?: Rates
}

export const LONG_CONTEXT_THRESHOLD = 200_000

const opus3 = { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 }
const opus45 = { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 }
const sonnet = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 }
const sonnetLong = { input: 6, output: 22.5, cacheRead: 0.6, cacheWrite: 7.5 }

/** By model id prefix; the longest prefix that matches wins (claude-opus-4-5-… before claude-opus-4). */
export const PRICES: Readonly<Record<string, ModelPrice>> = {
  "claude-opus-4-6": opus45,
  "claude-opus-4-5": opus45,
  "claude-opus-4-1": opus3,
  "claude-opus-4": opus3,
  "claude-3-opus": opus3,
  "claude-sonnet-4-6": sonnet,
  "claude-sonnet-4-5": { ...sonnet, longContext: sonnetLong },
  "claude-sonnet-4": { ...sonnet, longContext: sonnetLong },
  "claude-3-7-sonnet": sonnet,
  "claude-3-5-sonnet": sonnet,
  "claude-haiku-4-5": { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  "claude-3-5-haiku": { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 },
  "claude-3-haiku": { input: 0.25, output: 1.25, cacheRead: 0.03, cacheWrite: 0.3 }
}

/** The table's entry for a model id such as `claude-sonnet-4-5-20250929` or `claude-sonnet-4-5[1m]`. */
export const priceOf = (model: string): ModelPrice | undefined => {
  const id = model.toLowerCase().replace(/\[.*\]$/, "").trim()
  const key = Object.keys(PRICES).filter((prefix) => id === prefix || id.startsWith(`${prefix}-`))
    .sort((a, b) => b.length - a.length)[0]
  return key === undefined ? undefined : PRICES[key]
}

/** Rates per million tokens as integer micro-dollars, so that sums stay exact. */
const micro = (perMillion: number): bigint => BigInt(Math.round(perMillion * 1_000_000))

/**
 * The cost of one request in US dollars as an exact decimal string (12 places), or undefined when the model
 * is not in the table.
 */
export const computeCost = (model: string, tokens: TokenCounts): string | undefined => {
  const price = priceOf(model)
  if (price === undefined) return undefined
  const input = tokens.inputTokens + tokens.cacheReadTokens + tokens.cacheCreationTokens
  const rates = input > LONG_CONTEXT_THRESHOLD && price.longContext !== undefined ? price.longContext : price
  // tokens × micro-dollars per million tokens = 10⁻¹² dollars
  const pico = BigInt(tokens.inputTokens) * micro(rates.input) + BigInt(tokens.outputTokens) * micro(rates.output) +
    BigInt(tokens.cacheReadTokens) * micro(rates.cacheRead) + BigInt(tokens.cacheCreationTokens) * micro(rates.cacheWrite)
  const whole = pico / 1_000_000_000_000n
  const fraction = (pico % 1_000_000_000_000n).toString().padStart(12, "0")
  return `${whole}.${fraction}`
}
