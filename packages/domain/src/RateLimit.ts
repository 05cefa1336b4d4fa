import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import type { Plan } from "./User.js"

/** Requests a minute, per account, by plan (the public docs' numbers). */
export const requestsPerMinute: Record<Plan, number> = { free: 60, pro: 300, team: 1000 }

export interface Quota {
  readonly limit: number
  readonly remaining: number
  /** Seconds until the window resets. */
  readonly resetSeconds: number
}

export class RateLimited extends Schema.TaggedError<RateLimited>()(
  "RateLimited",
  {
    code: Schema.tag("rate_limited"),
    limit: Schema.Number,
    retryAfterSeconds: Schema.Number,
    message: Schema.String
  },
  HttpApiSchema.annotations({ status: 429 })
) {}
