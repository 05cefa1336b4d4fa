import { RateLimiter } from "@clockme/domain/services/RateLimiter"
import { Config, Effect, Layer } from "effect"

/** Per-account limits by plan, counted in this process; CLOCKME_RATE_LIMITS=off turns them off. */
export const RateLimiterLive = Layer.unwrapEffect(
  Effect.map(
    Config.literal("on", "off")("CLOCKME_RATE_LIMITS").pipe(Config.withDefault("on" as const)),
    (mode) => mode === "off" ? RateLimiter.unlimited : RateLimiter.memory
  )
)
