import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"

export class InvalidInput extends Schema.TaggedError<InvalidInput>()(
  "InvalidInput",
  { code: Schema.tag("invalid_input"), field: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 400, description: "The request is well-formed JSON but a field's value is not acceptable" })
) {}

export class Forbidden extends Schema.TaggedError<Forbidden>()(
  "Forbidden",
  { code: Schema.tag("forbidden"), message: Schema.String },
  HttpApiSchema.annotations({ status: 403 })
) {}

export class Conflict extends Schema.TaggedError<Conflict>()(
  "Conflict",
  { code: Schema.tag("conflict"), message: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {}
