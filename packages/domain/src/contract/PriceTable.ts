import { Schema } from "effect"

const PerToken = Schema.Number.pipe(
  Schema.finite({ message: () => "must be a finite number of US dollars per token" }),
  Schema.nonNegative({ message: () => "must not be negative" })
)

/**
 * One model of LiteLLM's public price file (model_prices_and_context_window.json): US dollars per token.
 * Only the token prices are read; every other field of the file is ignored.
 */
export const ModelPrice = Schema.Struct({
  input_cost_per_token: Schema.optional(PerToken),
  output_cost_per_token: Schema.optional(PerToken),
  cache_read_input_token_cost: Schema.optional(PerToken),
  cache_creation_input_token_cost: Schema.optional(PerToken),
  input_cost_per_token_above_200k_tokens: Schema.optional(PerToken),
  output_cost_per_token_above_200k_tokens: Schema.optional(PerToken),
  cache_read_input_token_cost_above_200k_tokens: Schema.optional(PerToken),
  cache_creation_input_token_cost_above_200k_tokens: Schema.optional(PerToken)
})
export type ModelPrice = typeof ModelPrice.Type

/** The whole price file: model id → its entry. */
export const PriceFile = Schema.Record({ key: Schema.String, value: ModelPrice }).annotations({
  identifier: "PriceFile",
  description: "LiteLLM's model_prices_and_context_window.json, or any JSON object of the same shape"
})
export type PriceFile = typeof PriceFile.Type

/** A price table in force: its version (stored beside every cost computed with it) and its models. */
export interface PriceTable {
  readonly version: string
  readonly models: Readonly<Record<string, ModelPrice>>
}
