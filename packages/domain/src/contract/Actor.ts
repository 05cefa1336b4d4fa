import { HttpApiSchema } from "@effect/platform"
import { Context, Effect, Schema } from "effect"
import type { ApiKeyId, UserId, WorkspaceId } from "./Ids.js"

export const KeyScope = Schema.Literal("read", "write", "full").annotations({
  description: "read: GET requests only; write: read plus timers, entries, tasks and project create/update; full: everything"
})
export type KeyScope = typeof KeyScope.Type

export const Source = Schema.Literal("api", "hook", "mcp", "web", "integration").annotations({
  description: "Where the time came from"
})
export type Source = typeof Source.Type

export interface Actor {
  readonly userId: UserId
  readonly workspaceId: WorkspaceId
  readonly keyId: ApiKeyId | null
  /** Set when the key is restricted to one workspace: the actor acts only there. */
  readonly keyWorkspaceId?: WorkspaceId | null | undefined
  readonly scope: KeyScope
  /** The user's role in `workspaceId`, as admission read it (null: not a member; undefined: not read). */
  readonly role?: "owner" | "member" | null | undefined
  readonly source: Source
}

/** The authenticated caller of the current request; services read it instead of taking ids as parameters. */
export class CurrentActor extends Context.Tag("@clockme/domain/CurrentActor")<CurrentActor, Actor>() {}

export class Unauthorized extends Schema.TaggedError<Unauthorized>()(
  "Unauthorized",
  { code: Schema.tag("unauthorized"), message: Schema.String },
  HttpApiSchema.annotations({ status: 401 })
) {}

export class InsufficientScope extends Schema.TaggedError<InsufficientScope>()(
  "InsufficientScope",
  { code: Schema.tag("insufficient_scope"), required: KeyScope, scope: KeyScope, message: Schema.String },
  HttpApiSchema.annotations({ status: 403 })
) {
  static readonly nextStep = (error: InsufficientScope): string =>
    `This tool needs an API key with the "${error.required}" scope; the key in this MCP server configuration has ` +
    `"${error.scope}". Ask the user to create a key with the "${error.required}" scope and put it in the ` +
    "Authorization header of the ClockMe MCP server configuration; read-only tools keep working meanwhile."
}

const rank: Record<KeyScope, number> = { read: 0, write: 1, full: 2 }

export const scopeCovers = (have: KeyScope, needed: KeyScope): boolean => rank[have] >= rank[needed]

/**
 * Refuses a caller whose key does not cover `needed`. Only the table of operations calls it, with the scope
 * its endpoint declares (RequiredScope), so no service checks scopes by hand.
 */
export const checkScope = (needed: KeyScope) =>
  Effect.flatMap(CurrentActor, (actor) =>
    scopeCovers(actor.scope, needed)
      ? Effect.void
      : Effect.fail(
        new InsufficientScope({
          required: needed,
          scope: actor.scope,
          message: `This action needs an API key with the "${needed}" scope; the key used has "${actor.scope}".`
        })
      ))
