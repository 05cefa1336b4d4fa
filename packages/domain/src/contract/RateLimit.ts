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

/** The rate-limit headers every authenticated answer carries (both spellings), REST and MCP alike. */
export const quotaHeaders = (quota: Quota, retryAfter?: number): Record<string, string> => {
  const remaining = String(Math.max(0, quota.remaining))
  return {
    "ratelimit-limit": String(quota.limit),
    "ratelimit-remaining": remaining,
    "ratelimit-reset": String(quota.resetSeconds),
    "x-ratelimit-limit": String(quota.limit),
    "x-ratelimit-remaining": remaining,
    "x-ratelimit-reset": String(quota.resetSeconds),
    ...(retryAfter === undefined ? {} : { "retry-after": String(retryAfter) })
  }
}
