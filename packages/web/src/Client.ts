import { Api } from "@clockme/domain/contract/api/Api"
import { CSRF_HEADER } from "@clockme/domain/contract/Session"
import { FetchHttpClient, HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect, Either, Layer, ParseResult } from "effect"

let csrfToken: string | undefined

/** The signed-in session's CSRF token, sent on every call that changes something. */
export const setCsrfToken = (token: string | undefined) => {
  csrfToken = token
}

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"])

const withCsrf = HttpClient.mapRequest((request: HttpClientRequest.HttpClientRequest) =>
  safeMethods.has(request.method) || csrfToken === undefined
    ? request
    : HttpClientRequest.setHeader(request, CSRF_HEADER, csrfToken))

/** The contract's typed client: every route, payload and answer comes from packages/domain, none restated here. */
const client = HttpApiClient.make(Api, { transformClient: withCsrf })

/** Fetch with the session cookie of this origin only. */
const FetchLive = FetchHttpClient.layer.pipe(
  Layer.provide(Layer.succeed(FetchHttpClient.RequestInit, { credentials: "same-origin" }))
)

type ApiClient = Effect.Effect.Success<typeof client>

/** What a call failed with, as the page shows it. */
export interface Failure {
  readonly tag: string
  readonly message: string
}

const failureOf = (error: unknown): Failure => {
  // a payload the contract refuses before sending: name the field and its rule, not the schema's whole tree
  if (ParseResult.isParseError(error)) {
    const issues = ParseResult.ArrayFormatter.formatErrorSync(error).filter((issue) => !issue.message.startsWith("Expected undefined"))
    const first = issues[0]
    return { tag: "InvalidInput", message: first === undefined ? error.message : `${first.path.join(".")}: ${first.message}` }
  }
  const tagged = error as { readonly _tag?: unknown; readonly message?: unknown }
  return {
    tag: typeof tagged._tag === "string" ? tagged._tag : "Error",
    message: typeof tagged.message === "string" && tagged.message !== "" ? tagged.message : "The server could not be reached"
  }
}

let onSignedOut: () => void = () => {}

/** Where a call that finds no session (expired, revoked, signed out elsewhere) sends the person. */
export const whenSignedOut = (handler: () => void) => {
  onSignedOut = handler
}

/** Runs one call of the contract; a missing session sends the person to sign-in. */
export const call = <A, E>(use: (api: ApiClient) => Effect.Effect<A, E>): Promise<Either.Either<A, Failure>> =>
  Effect.runPromise(
    Effect.flatMap(client, use).pipe(
      Effect.provide(FetchLive),
      Effect.either,
      Effect.map(Either.mapLeft(failureOf)),
      Effect.tap((result) => {
        if (Either.isLeft(result) && result.left.tag === "Unauthorized") onSignedOut()
      })
    )
  )
