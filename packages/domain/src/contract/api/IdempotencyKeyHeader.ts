import { Schema } from "effect"

/** `Idempotency-Key` on POSTs that change state: a retry returns the first response and changes nothing. */
export const IdempotencyKeyHeader = Schema.Struct({
  "idempotency-key": Schema.optional(
    Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)).annotations({
      description: "A retry with the same key returns the first response and changes nothing"
    })
  )
})
