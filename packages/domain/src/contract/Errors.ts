import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"

export class InvalidInput extends Schema.TaggedError<InvalidInput>()(
  "InvalidInput",
  { code: Schema.tag("invalid_input"), field: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 400, description: "The request is well-formed JSON but a field's value is not acceptable" })
) {
  static readonly nextStep = (error: InvalidInput): string => `Correct the ${error.field} argument and call again.`
}

export class Forbidden extends Schema.TaggedError<Forbidden>()(
  "Forbidden",
  { code: Schema.tag("forbidden"), message: Schema.String },
  HttpApiSchema.annotations({ status: 403 })
) {
  static readonly nextStep = (): string =>
    "Your role does not allow this (only an entry's author changes it; only owners change a shared project's " +
    "rates, budgets, billability or archiving): leave it as it is or ask a workspace owner."
}

export class Conflict extends Schema.TaggedError<Conflict>()(
  "Conflict",
  { code: Schema.tag("conflict"), message: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {
  static readonly nextStep = (): string =>
    "Use a new idempotencyKey for a different request, or reuse the key only to repeat the same call."
}

/**
 * What a caller (an agent, through the MCP tools) can do about a failure. An error class declares it as a
 * static `nextStep`, so a new error carries its own advice.
 */
export interface Advised<E> {
  readonly nextStep: (error: E) => string
}

/** The advice of the error's class, if it declares one. */
export const nextStepOf = (error: object): string | undefined => {
  const advice = (error.constructor as Partial<Advised<object>>).nextStep
  return typeof advice === "function" ? advice(error) : undefined
}

/** Names as a model reads them in advice: "a", "b". */
export const quoted = (names: ReadonlyArray<string>): string => names.map((name) => `"${name}"`).join(", ")
