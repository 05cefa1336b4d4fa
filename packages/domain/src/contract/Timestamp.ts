import { Schema } from "effect"

/** An instant: a DateTime.Utc in code, ISO 8601 text on the wire. */
export const Timestamp = Schema.DateTimeUtc

export const NullableTimestamp = Schema.NullOr(Schema.DateTimeUtc)
