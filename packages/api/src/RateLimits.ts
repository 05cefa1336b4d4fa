import { RateLimiter } from "@clockme/domain/services/RateLimiter"
import { Config, Effect, Layer } from "effect"

/**
 * Per-account limits by plan. CLOCKME_RATE_LIMITS: `memory` (default, counted in this process), `database`
 * (shared by every server on the database), or `off`.
 */
export const RateLimiterLive = Layer.unwrapEffect(
  Effect.map(
    Config.literal("memory", "database", "on", "off")("CLOCKME_RATE_LIMITS").pipe(Config.withDefault("memory" as const)),
    (mode) => mode === "off" ? RateLimiter.unlimited : mode === "database" ? RateLimiter.database : RateLimiter.memory
  )
)
