import type { HttpApi, HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import type { Effect } from "effect"
import type { CurrentActor } from "../Actor.js"
import type { Api } from "./Api.js"

type Groups = typeof Api extends HttpApi.HttpApi<string, infer G, infer _E, infer _R> ? G : never

/** What an operation gets: its endpoint's decoded path, query, body and headers (the raw request stays at the edge). */
export type OperationRequest<E extends HttpApiEndpoint.HttpApiEndpoint.Any> = Omit<
  HttpApiEndpoint.HttpApiEndpoint.Request<E>,
  "request"
>

/** One endpoint of the contract as one domain service call, with the endpoint's success and errors. */
export type Operation<G extends HttpApiGroup.HttpApiGroup.Any, E extends HttpApiEndpoint.HttpApiEndpoint.Any> = (
  request: OperationRequest<E>
) => Effect.Effect<
  HttpApiEndpoint.HttpApiEndpoint.Success<E>,
  HttpApiEndpoint.HttpApiEndpoint.Error<E> | HttpApiGroup.HttpApiGroup.Error<G>,
  CurrentActor
>

/** Groups answered at the HTTP edge alone, because they set cookies and read the caller's address: the dashboard's sign-in. */
export type EdgeGroup = "session"
export const edgeGroups: ReadonlySet<string> = new Set<EdgeGroup>(["session"])

/** Every endpoint of the contract but the edge's, by group and endpoint name. */
export type OperationTable = {
  readonly [G in Groups as Exclude<HttpApiGroup.HttpApiGroup.Name<G>, EdgeGroup>]: {
    readonly [E in HttpApiGroup.HttpApiGroup.Endpoints<G> as HttpApiEndpoint.HttpApiEndpoint.Name<E>]: Operation<G, E>
  }
}
