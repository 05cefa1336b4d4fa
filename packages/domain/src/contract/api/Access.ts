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
