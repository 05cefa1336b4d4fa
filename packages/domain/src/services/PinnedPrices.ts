import type { PriceTable } from "../contract/PriceTable.js"

const perMillion = (input: number, output: number, cacheRead: number, cacheWrite: number) => ({
  input_cost_per_token: input / 1e6,
  output_cost_per_token: output / 1e6,
  cache_read_input_token_cost: cacheRead / 1e6,
  cache_creation_input_token_cost: cacheWrite / 1e6
})

const longContext = (input: number, output: number, cacheRead: number, cacheWrite: number) => ({
  input_cost_per_token_above_200k_tokens: input / 1e6,
  output_cost_per_token_above_200k_tokens: output / 1e6,
  cache_read_input_token_cost_above_200k_tokens: cacheRead / 1e6,
  cache_creation_input_token_cost_above_200k_tokens: cacheWrite / 1e6
})

const opus3 = perMillion(15, 75, 1.5, 18.75)
const opus45 = perMillion(5, 25, 0.5, 6.25)
const sonnet = perMillion(3, 15, 0.3, 3.75)
const sonnetLong = longContext(6, 22.5, 0.6, 7.5)

/**
 * The price table pinned in the package, for offline use, in the shape of LiteLLM's public price file so that
 * `clockme-server prices update --file` can replace it with a newer copy of that file.
 * Figures: Anthropic's pricing page ("Model pricing" and "Long context pricing"), read 2026-03; the 4.6 models'
 * figures (Opus 4.6's long-context tier: $10 / $37.50) come from a third-party summary of that page, not
 * checked against it. Cache writes are the 5-minute ones, which is what Claude Code's cache_creation_tokens are.
 */
export const PINNED_PRICES: PriceTable = {
  version: "pinned-2026-12",
  models: {
    "claude-opus-4-6": { ...opus45, ...longContext(10, 37.5, 1, 12.5) },
    "claude-opus-4-5": opus45,
    "claude-opus-4-1": opus3,
    "claude-opus-4": opus3,
    "claude-3-opus": opus3,
    "claude-sonnet-4-6": { ...sonnet, ...sonnetLong },
    "claude-sonnet-4-5": { ...sonnet, ...sonnetLong },
    "claude-sonnet-4": { ...sonnet, ...sonnetLong },
    "claude-3-7-sonnet": sonnet,
    "claude-3-5-sonnet": sonnet,
    "claude-haiku-4-5": perMillion(1, 5, 0.1, 1.25),
    "claude-3-5-haiku": perMillion(0.8, 4, 0.08, 1),
    "claude-3-haiku": perMillion(0.25, 1.25, 0.03, 0.3)
  }
}
