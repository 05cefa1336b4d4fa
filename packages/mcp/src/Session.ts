import type { Actor } from "@clockme/domain/Actor"
import { ApiKeys } from "@clockme/domain/services/ApiKeys"
import { Effect, Redacted } from "effect"

/** The key of `Authorization: Bearer ck_live_…`; an empty string when there is none. */
export const bearerToken = (authorization: string | null | undefined): string => {
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")
  return match?.[1] ?? ""
}

/** The caller of an MCP request: the same API keys and scopes as REST, with the time's source set to mcp. */
export class McpSession extends Effect.Service<McpSession>()("@clockme/mcp/McpSession", {
  effect: Effect.gen(function*() {
    const keys = yield* ApiKeys

    const authenticate = (authorization: string | null | undefined) =>
      keys.authenticate(Redacted.make(bearerToken(authorization))).pipe(
        Effect.map((actor): Actor => ({ ...actor, source: "mcp" }))
      )

    return { authenticate } as const
  })
}) {}
