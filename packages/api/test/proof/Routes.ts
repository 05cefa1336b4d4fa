import { HttpApiBuilder } from "@effect/platform"
import { Chunk, Effect } from "effect"

/**
 * The contract's endpoints anyone may call without an API key (the health check, and signing in to the
 * dashboard, which a password or a link decides), by `group.name`: stated here once, and the
 * server is checked against it (auth.http.test.ts, the proofs), never read from the server's own middleware.
 */
export const publicEndpoints: ReadonlySet<string> = new Set(["system.health", "session.signIn", "session.setPassword", "session.signUpWithInvite"])

/** A route the server serves beside the contract's endpoints, and what the generated proofs send it. */
export interface SideRoute {
  /** `key`: an API key decides (no key is a 401); `public`: no key is asked (a signature or nothing decides). */
  readonly access: "key" | "public"
  /** The body it takes: none, JSON, or raw bytes it reads itself. */
  readonly body: "none" | "json" | "raw"
  /** Values a path parameter may take besides generated ids and weird strings (so the fuzz gets past the first lookup). */
  readonly params?: Readonly<Record<string, ReadonlyArray<string>>>
  /** How its refusals are shaped: the API's `{ code, message }`, or a JSON-RPC error. */
  readonly errors: "problem" | "json-rpc"
}

/**
 * Every route served beside the contract, by `METHOD /path` as the router holds it (`*` for every method).
 * The generated fuzz (fuzz.http.test.ts) sends each of them generated requests; a route the router serves
 * that is neither here nor in the contract fails the proofs until it is added.
 */
export const besideContract: Readonly<Record<string, SideRoute>> = {
  "POST /api/integrations/:integration/inbound/:connection/:route": {
    access: "public",
    body: "raw",
    params: { integration: ["example", "webhooks", "zapier"], route: ["command"] },
    errors: "problem"
  },
  "* /api/mcp": { access: "key", body: "json", errors: "json-rpc" },
  "GET /api/openapi": { access: "public", body: "none", errors: "problem" },
  "GET /api/docs": { access: "public", body: "none", errors: "problem" }
}

/** Every route of the running server's router, as `METHOD /path` (needs `HttpApiBuilder.Router` in the context). */
export const servedRoutes = Effect.map(
  HttpApiBuilder.Router.router,
  (router) => Chunk.toReadonlyArray(router.routes).map((route) => `${route.method} ${route.path}`)
)

/**
 * What a developer must do for each route the proofs do not cover, and for each listed route no longer
 * served: an empty list when the router, the contract and `besideContract` agree.
 */
export const uncoveredRoutes = (served: ReadonlyArray<string>, contract: ReadonlyArray<string>): ReadonlyArray<string> => {
  const known = new Set([...contract, ...Object.keys(besideContract)])
  const missing = served.filter((route) => !known.has(route)).map((route) =>
    `${route} is served but no proof covers it. If it belongs to the contract, declare it in an HttpApiGroup of ` +
    `packages/domain/src/contract/api (the proofs walk Api.groups). If it is served beside the contract ` +
    `(HttpApiBuilder.Router.use), add to besideContract in packages/api/test/proof/Routes.ts:\n` +
    `  "${route}": { access: "key" | "public", body: "none" | "json" | "raw", errors: "problem" | "json-rpc" },\n` +
    `and the generated fuzz will send it requests (no 5xx, JSON refusals, nothing written by a refusal).`
  )
  const stale = Object.keys(besideContract).filter((route) => !served.includes(route)).map((route) =>
    `${route} is listed in besideContract (packages/api/test/proof/Routes.ts) but the server no longer serves it: remove it.`
  )
  const doubled = contract.filter((route) => Object.hasOwn(besideContract, route)).map((route) =>
    `${route} is a contract endpoint: remove it from besideContract (packages/api/test/proof/Routes.ts).`
  )
  return [...missing, ...stale, ...doubled]
}
