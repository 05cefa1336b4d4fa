import type { HttpApiEndpoint } from "@effect/platform"
import { Context, Option } from "effect"
import type { KeyScope } from "../Actor.js"

/**
 * The key scope an endpoint needs, declared on the endpoint with `.annotate(RequiredScope, "full")` where it
 * is not its method's default: GET needs `read`, every other method `write`. The table of operations checks it
 * before the operation runs (REST and MCP alike), and an MCP tool is read-only exactly when it needs `read`.
 */
export class RequiredScope extends Context.Tag("@clockme/domain/RequiredScope")<RequiredScope, KeyScope>() {}

export const requiredScope = (endpoint: HttpApiEndpoint.HttpApiEndpoint.AnyWithProps): KeyScope =>
  Option.getOrElse(Context.getOption(endpoint.annotations, RequiredScope), () => endpoint.method === "GET" ? "read" : "write")

/** An endpoint only the owners of a workspace may call. */
export interface OwnerOnly {
  /** Whose workspace: the one the path's `id` names, or the caller's active one. */
  readonly workspace: "path" | "active"
  /** What a member is refused, as the 403 says it: `Only owners of workspace "…" can <action>`. */
  readonly action: string
}

/**
 * The role an endpoint needs, declared with `.annotate(RequiredRole, { workspace, action })` where only owners
 * may call it (any member may call the others). Checked by the table of operations after the scope: a
 * workspace the caller is not in is a 404 exactly like one that does not exist, a member's call a 403.
 */
export class RequiredRole extends Context.Tag("@clockme/domain/RequiredRole")<RequiredRole, OwnerOnly>() {}

export const requiredRole = (endpoint: HttpApiEndpoint.HttpApiEndpoint.AnyWithProps): OwnerOnly | undefined =>
  Option.getOrUndefined(Context.getOption(endpoint.annotations, RequiredRole))

export const ownersOf = (workspace: OwnerOnly["workspace"], action: string): OwnerOnly => ({ workspace, action })
