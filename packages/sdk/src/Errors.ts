import { type HttpClientError, HttpApiSchema } from "@effect/platform"
import { Cause, Effect, ParseResult, Schema } from "effect"
import type { ApiClient } from "./Client.js"

type MethodError<F> = F extends (...args: any) => Effect.Effect<any, infer E, any> ? E : never

/** Every error any endpoint of the contract can fail with (the server's typed errors plus transport errors). */
export type ApiError = {
  [G in keyof ApiClient]: { [E in keyof ApiClient[G]]: MethodError<ApiClient[G][E]> }[keyof ApiClient[G]]
}[keyof ApiClient]

/** The server's typed errors: each has a `_tag`, a snake_case `code` and a `message`. */
export type ServerError = Extract<ApiError, { readonly code: string; readonly message: string }>

/** The codes a {@link ClockMeError} carries: the server's, plus what can go wrong on the way. */
export type ErrorCode =
  | ServerError["code"]
  | "network_error"
  | "timeout"
  | "rate_limited"
  | "server_error"
  | "http_error"
  | "invalid_response"
  | "invalid_request"
  | "not_configured"

/**
 * What the Promise client throws: the server's `code` and `message` (e.g. `timer_not_running`),
 * the HTTP `status` when there was a response, and the decoded server error as `error`.
 */
export class ClockMeError extends Error {
  override readonly name = "ClockMeError"
  readonly code: ErrorCode
  readonly status: number | undefined
  readonly error: ServerError | undefined
  readonly body: unknown

  constructor(options: {
    readonly code: ErrorCode
    readonly message: string
    readonly status?: number | undefined
    readonly error?: ServerError | undefined
    readonly body?: unknown
    readonly cause?: unknown
  }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = options.code
    this.status = options.status
    this.error = options.error
    this.body = options.body
  }

  /** The server's error class name, e.g. `TimerNotRunning`, when the server answered with one. */
  get tag(): string | undefined {
    return this.error?._tag
  }
}

const statusOf = (error: { readonly constructor: unknown }): number | undefined =>
  Schema.isSchema(error.constructor) ? HttpApiSchema.getStatusError(error.constructor) : undefined

const codeForStatus = (status: number): ErrorCode =>
  status === 429 ? "rate_limited" : status >= 500 ? "server_error" : "http_error"

/** Turns any failure of the Effect client into a {@link ClockMeError}. */
export const toClockMeError = async (failure: unknown): Promise<ClockMeError> => {
  if (failure instanceof ClockMeError) return failure
  if (typeof failure === "object" && failure !== null) {
    // An unknown failure, looked at field by field before it is trusted as one of the contract's errors.
    const f = failure as { readonly _tag?: unknown; readonly code?: unknown; readonly message?: unknown }
    if (typeof f.code === "string" && typeof f.message === "string" && typeof f._tag === "string" && f._tag !== "ResponseError") {
      const error = failure as ServerError
      return new ClockMeError({ code: error.code, message: error.message, status: statusOf(error), error, body: failure })
    }
    if (f._tag === "RequestError") {
      const e = f as HttpClientError.RequestError
      const timedOut = (e.description ?? "").startsWith("no answer within")
      return new ClockMeError({
        code: timedOut ? "timeout" : "network_error",
        message: `Could not reach the ClockMe server at ${safeUrl(e.request.url)}: ${e.description ?? causeMessage(e.cause)}`,
        cause: e
      })
    }
    if (f._tag === "ResponseError") {
      const e = f as HttpClientError.ResponseError
      const text = await e.response.text.pipe(runQuietly)
      let body: any = text
      try {
        body = text === undefined || text === "" ? undefined : JSON.parse(text)
      } catch {
        body = text
      }
      const code = typeof body?.code === "string" ? body.code : codeForStatus(e.response.status)
      const message = typeof body?.message === "string"
        ? body.message
        : `The server answered ${e.response.status} to ${e.request.method} ${safeUrl(e.request.url)}`
      return new ClockMeError({ code, message, status: e.response.status, body, cause: e })
    }
    if (ParseResult.isParseError(failure)) {
      return new ClockMeError({
        code: "invalid_response",
        message: `The server's answer did not match the contract: ${failure.message}`,
        cause: failure
      })
    }
    if (Cause.isTimeoutException(failure)) {
      return new ClockMeError({ code: "timeout", message: "The request timed out", cause: failure })
    }
  }
  return new ClockMeError({ code: "http_error", message: failure instanceof Error ? failure.message : String(failure), cause: failure })
}

const causeMessage = (cause: unknown): string =>
  cause instanceof Error ? (cause.cause instanceof Error ? `${cause.message} (${cause.cause.message})` : cause.message) : String(cause)

const safeUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname}`
  } catch {
    return url
  }
}

const runQuietly = <A>(effect: Effect.Effect<A, unknown>): Promise<A | undefined> =>
  Effect.runPromise(Effect.orElseSucceed(effect, () => undefined))
