import { Schema } from "effect"
import { strict } from "./Strict.js"
import { Text } from "./Text.js"
import { Instant } from "./Timestamp.js"

const TokenCount = Schema.Int.pipe(Schema.between(0, Number.MAX_SAFE_INTEGER, {
  message: () => "must be a whole number of tokens, 0 or more"
}))

/** One AI request a hook read from the tool's own records (Claude Code transcript, Codex rollout, Gemini chat). */
export const HookUsage = Schema.Struct({
  key: Text.pipe(Schema.minLength(1), Schema.maxLength(300)).annotations({
    description: "Unique per request and stable across resends, so a request sent twice counts once. Claude Code's " +
      "`request:<request id>` is the key its OpenTelemetry export uses too: a request reported both ways counts once"
  }),
  model: Text.pipe(Schema.minLength(1), Schema.maxLength(200)),
  inputTokens: TokenCount.annotations({ description: "Input tokens not read from or written to a cache" }),
  outputTokens: TokenCount,
  cacheReadTokens: TokenCount,
  cacheCreationTokens: TokenCount,
  at: Schema.optional(Instant.annotations({ description: "When the request was made; default now" }))
}).annotations({ identifier: "HookUsage", ...strict })
export type HookUsage = typeof HookUsage.Type

/** At most this many requests ride on one heartbeat or stop. */
export const MAX_HOOK_USAGE = 500

export const HookUsageList = Schema.Array(HookUsage).pipe(Schema.maxItems(MAX_HOOK_USAGE, {
  message: () => `must hold at most ${MAX_HOOK_USAGE} requests; send the rest with the next heartbeat`
})).annotations({
  description: "AI requests of the session (sessionId required) since the hook's last report, priced from the price table and " +
    "attached to the session's timer or entry; each counts once however often it is sent"
})
