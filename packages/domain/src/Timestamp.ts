import { Model } from "@effect/sql"
import { Schema } from "effect"

/** A timestamptz column: a Date from the driver, an ISO 8601 string in JSON, a DateTime.Utc in between. */
export const Timestamp = Model.Field({
  select: Model.DateTimeFromDate,
  insert: Model.DateTimeFromDate,
  update: Model.DateTimeFromDate,
  json: Schema.DateTimeUtc,
  jsonCreate: Schema.DateTimeUtc,
  jsonUpdate: Schema.DateTimeUtc
})

export const NullableTimestamp = Model.Field({
  select: Schema.NullOr(Model.DateTimeFromDate),
  insert: Schema.NullOr(Model.DateTimeFromDate),
  update: Schema.NullOr(Model.DateTimeFromDate),
  json: Schema.NullOr(Schema.DateTimeUtc),
  jsonCreate: Schema.NullOr(Schema.DateTimeUtc),
  jsonUpdate: Schema.NullOr(Schema.DateTimeUtc)
})
