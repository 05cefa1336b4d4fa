import { Either, ParseResult, Schema } from "effect"
import * as crypto from "node:crypto"
import type { ModelPrice, PriceTable } from "../contract/PriceTable.js"
import { PriceFile } from "../contract/PriceTable.js"
import type { TokenCounts } from "../contract/Usage.js"
import { PINNED_PRICES } from "./PinnedPrices.js"

/**
 * A request whose input (fresh, cache read and cache write together) exceeds this many tokens is billed
 * entirely at the model's `*_above_200k_tokens` rates, as Anthropic's long-context pricing says.
 */
export const LONG_CONTEXT_THRESHOLD = 200_000

/** A model is priced when the table gives at least its input and output prices. */
const isPriced = (price: ModelPrice) =>
  price.input_cost_per_token !== undefined && price.output_cost_per_token !== undefined

/**
 * The table's entry for a model id such as `claude-sonnet-4-5-20250929` or `claude-sonnet-4-5[1m]`: the id
 * itself, else the longest entry the id starts with (followed by `-`).
 */
export const priceOf = (model: string, table: PriceTable = PINNED_PRICES): ModelPrice | undefined => {
  const id = model.toLowerCase().replace(/\[.*\]$/, "").trim()
  const exact = table.models[id]
  if (exact !== undefined && isPriced(exact)) return exact
  let best: string | undefined
  for (const key of Object.keys(table.models)) {
    if (id.startsWith(`${key}-`) && (best === undefined || key.length > best.length) && isPriced(table.models[key]!)) {
      best = key
    }
  }
  return best === undefined ? undefined : table.models[best]
}

/** Dollars per token as integer picodollars, so that sums stay exact (every published price is a whole number of them). */
const pico = (perToken: number | undefined): bigint => BigInt(Math.round((perToken ?? 0) * 1e12))

/**
 * The cost of one request in US dollars as an exact decimal string (12 places), or undefined when the model
 * is not in the table. A cache price the table lacks is billed as fresh input.
 */
export const computeCost = (model: string, tokens: TokenCounts, table: PriceTable = PINNED_PRICES): string | undefined => {
  const price = priceOf(model, table)
  if (price === undefined) return undefined
  const input = tokens.inputTokens + tokens.cacheReadTokens + tokens.cacheCreationTokens
  const long = input > LONG_CONTEXT_THRESHOLD && price.input_cost_per_token_above_200k_tokens !== undefined
  const fresh = long ? price.input_cost_per_token_above_200k_tokens : price.input_cost_per_token
  const output = long ? price.output_cost_per_token_above_200k_tokens ?? price.output_cost_per_token : price.output_cost_per_token
  const cacheRead = (long ? price.cache_read_input_token_cost_above_200k_tokens : undefined) ?? price.cache_read_input_token_cost ?? fresh
  const cacheWrite = (long ? price.cache_creation_input_token_cost_above_200k_tokens : undefined) ??
    price.cache_creation_input_token_cost ?? fresh
  const total = BigInt(tokens.inputTokens) * pico(fresh) + BigInt(tokens.outputTokens) * pico(output) +
    BigInt(tokens.cacheReadTokens) * pico(cacheRead) + BigInt(tokens.cacheCreationTokens) * pico(cacheWrite)
  const whole = total / 1_000_000_000_000n
  const fraction = (total % 1_000_000_000_000n).toString().padStart(12, "0")
  return `${whole}.${fraction}`
}

const decodeFile = Schema.decodeUnknownEither(PriceFile, { errors: "first" })

/**
 * A price file's text as a table: valid JSON of LiteLLM's shape that prices at least one model. Only the priced
 * models' token prices are kept. The version names the day and the file's SHA-256, so that two uploads of the
 * same file have the same version.
 */
export const readPriceFile = (text: string, today: string): Either.Either<PriceTable, string> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return Either.left(`The price file is not JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (Array.isArray(json)) return Either.left("The price file must be a JSON object of models, not an array")
  return decodeFile(json).pipe(
    Either.mapLeft((error) => {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]!
      const where = issue.path.length === 0 ? "the file" : issue.path.map((key) => JSON.stringify(String(key))).join(" → ")
      return `The price file does not have LiteLLM's shape: at ${where}: ${issue.message}`
    }),
    Either.flatMap((file) => {
      const models: Record<string, ModelPrice> = {}
      for (const [id, price] of Object.entries(file)) {
        if (id !== "sample_spec" && isPriced(price)) models[id.toLowerCase()] = price
      }
      if (Object.keys(models).length === 0) {
        return Either.left("The price file prices no model: no entry has both input_cost_per_token and output_cost_per_token")
      }
      const digest = crypto.createHash("sha256").update(text).digest("hex").slice(0, 12)
      return Either.right({ version: `litellm-${today}-${digest}`, models })
    })
  )
}
