import type { Actor } from "@clockme/domain/contract/Actor"
import { Admission } from "@clockme/domain/services/Admission"
import { Effect, Redacted } from "effect"

/** The key of `Authorization: Bearer ck_live_…`; an empty string when there is none. */
export const bearerToken = (authorization: string | null | undefined): string => {
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")
  return match?.[1] ?? ""
}

/**
 * The caller of an MCP request, admitted exactly like a REST request (same API keys, scopes and rate
 * limits), with the time's source set to mcp.
 */
export class McpSession extends Effect.Service<McpSession>()("@clockme/mcp/McpSession", {
  effect: Effect.gen(function*() {
    const admission = yield* Admission

    const authenticate = (authorization: string | null | undefined, workspace?: string) =>
      admission.admit(Redacted.make(bearerToken(authorization)), workspace).pipe(
        Effect.map(({ actor, quota }) => ({ actor: { ...actor, source: "mcp" } satisfies Actor, quota }))
      )

    return { authenticate } as const
  })
}) {}
