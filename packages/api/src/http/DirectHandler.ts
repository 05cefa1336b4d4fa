import type { Actor } from "@clockme/domain/contract/Actor"
import { CurrentActor } from "@clockme/domain/contract/Actor"
import { SESSION_COOKIE } from "@clockme/domain/contract/Session"
import type { Refusal } from "@clockme/domain/contract/Refusals"
import { BodyTooComplex, DatabaseUnavailable, encodeRefusal, InternalError, InvalidRequest, MalformedBody } from "@clockme/domain/contract/Refusals"
import { Operations } from "@clockme/domain/Operations"
import { isDatabaseOutage } from "@clockme/domain/repos/SqlErrors"
import { Admission, admittedHeaders, refusalHeaders } from "@clockme/domain/services/Admission"
import { Cookies } from "@effect/platform"
import { Cause, Effect, Either, FiberId, Option, ParseResult, Redacted, Runtime } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { DirectRoute, OperationRun } from "./DirectRoutes.js"
import { answerFor, directRoutes, queryOf } from "./DirectRoutes.js"
import { jsonSecurityHeaders, MAX_URL_BYTES, nulPath, shapeProblem } from "../RequestGuard.js"

/** Answers the request and returns true, or returns false having touched nothing, for the platform to answer. */
export type DirectHandler = (request: IncomingMessage, response: ServerResponse) => boolean

interface Answered {
  readonly status: number
  readonly body: string | undefined
  readonly headers: Record<string, string>
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): Answered => ({
  status,
  body: JSON.stringify(value),
  headers
})

const refused = (refusal: Refusal): Answered => {
  const encoded = encodeRefusal(refusal)
  return json(encoded.status, encoded.body, encoded.headers)
}

const internal = () => refused(new InternalError({ message: "Something went wrong on our side" }))

const isPlainJson = (contentType: string | undefined) =>
  contentType !== undefined && contentType.split(";")[0]!.trim().toLowerCase() === "application/json"

/** Whether the answer may be kept by a cache: never for a key's, a session's. */
const isPrivate = (request: IncomingMessage) =>
  request.headers.authorization !== undefined ||
  (request.headers.cookie !== undefined && SESSION_COOKIE in Cookies.parseHeader(request.headers.cookie))

const write = (request: IncomingMessage, response: ServerResponse, answered: Answered) => {
  if (response.writableEnded || response.destroyed) return
  const headers: Record<string, string | number> = { ...jsonSecurityHeaders, ...answered.headers }
  if (isPrivate(request)) headers["cache-control"] = "no-store"
  if (answered.body === undefined) {
    response.writeHead(answered.status, headers).end()
    return
  }
  headers["content-type"] = "application/json"
  headers["content-length"] = Buffer.byteLength(answered.body)
  // a string body goes out in one write with the head
  response.writeHead(answered.status, headers).end(answered.body)
}

const invalid = (error: ParseResult.ParseError) => refused(InvalidRequest.fromIssues(ParseResult.ArrayFormatter.formatErrorSync(error)))

/**
 * The contract's JSON endpoints answered straight on node:http: the same router (find-my-way with the platform's
 * defaults), the same schemas decoding path, body, headers and query in the platform's order, the same admission
 * (a key always, see below), the same table of operations with its scope and role checks, and the same encoders,
 * statuses and headers, so an answer cannot tell which path made it. What is not a plain JSON request with a
 * key, or a public endpoint's, goes to the platform untouched: sessions (cookies and CSRF), bodies the guard
 * refuses or reads specially (over the limit, chunked, encoded, not JSON), HEAD and OPTIONS, CORS, the session,
 * CSV, protobuf, MCP, docs, inbound routes and the dashboard. Worth it on the hook's path: the platform's
 * router, middleware and response stream cost several times the work a heartbeat needs.
 */
export const makeDirectHandler = (options: { readonly maxBodyBytes: number }) =>
  Effect.gen(function*() {
    const operations = (yield* Operations) as unknown as Record<string, Record<string, OperationRun>>
    const admission = yield* Admission
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())
    const router = directRoutes()

    const failed = (route: DirectRoute, cause: Cause.Cause<unknown>, extra: Record<string, string>): Effect.Effect<Answered> => {
      // the client went away: nobody to answer
      if (Cause.isInterruptedOnly(cause)) return Effect.interrupt
      if (isDatabaseOutage(cause)) {
        const outage = refused(DatabaseUnavailable.now())
        return Effect.as(
          Effect.logWarning("Database unreachable; answered 503", Cause.squash(cause)),
          { ...outage, headers: { ...outage.headers, ...extra } }
        )
      }
      const failure = Cause.failureOption(cause)
      if (Option.isSome(failure)) {
        const answer = answerFor(route.errors, failure.value)
        const encoded = answer?.encode?.(failure.value)
        if (answer !== undefined && (encoded === undefined || Either.isRight(encoded))) {
          return Effect.succeed<Answered>({
            status: answer.status,
            body: encoded === undefined ? undefined : JSON.stringify(encoded.right),
            headers: extra
          })
        }
      }
      return Effect.as(Effect.logError("Unhandled defect", cause), { ...internal(), headers: extra })
    }

    const answer = (route: DirectRoute, request: IncomingMessage, found: {
      readonly params: Record<string, string | undefined>
      readonly searchParams: Record<string, string | Array<string>>
    }, body: unknown) =>
      Effect.gen(function*() {
        const extra: Record<string, string> = {}
        let actor: Actor | undefined
        if (route.secured) {
          const admitted = yield* Effect.either(
            admission.admit(Redacted.make(request.headers.authorization!.slice(7)), request.headers["x-clockme-workspace"] as string | undefined)
          )
          if (Either.isLeft(admitted)) {
            const headers = refusalHeaders(admitted.left, true)
            return yield* failed(route, Cause.fail(admitted.left), headers)
          }
          Object.assign(extra, admittedHeaders(admitted.right))
          actor = admitted.right.actor
        }
        const decoded: Record<string, unknown> = {}
        if (route.path !== undefined) {
          const path = route.path(found.params)
          if (Either.isLeft(path)) return { ...invalid(path.left), headers: extra }
          decoded.path = path.right
        }
        if (route.payload !== undefined) {
          const payload = route.payload(body)
          if (Either.isLeft(payload)) return { ...invalid(payload.left), headers: extra }
          decoded.payload = payload.right
        }
        if (route.headers !== undefined) {
          const headers = route.headers(request.headers)
          if (Either.isLeft(headers)) return { ...invalid(headers.left), headers: extra }
          decoded.headers = headers.right
        }
        if (route.urlParams !== undefined) {
          const urlParams = route.urlParams.decode(queryOf(found.searchParams, route.urlParams.single))
          if (Either.isLeft(urlParams)) return { ...invalid(urlParams.left), headers: extra }
          decoded.urlParams = urlParams.right
        }
        const operation = operations[route.group]![route.name]!(decoded) as Effect.Effect<unknown, unknown, CurrentActor>
        const value = yield* (actor === undefined
          // a public endpoint's operation reads no actor
          ? operation as Effect.Effect<unknown, unknown>
          : Effect.provideService(operation, CurrentActor, actor)).pipe(
          Effect.catchAllCause((cause) => Effect.flatMap(failed(route, cause, extra), Effect.fail))
        )
        const success = answerFor(route.successes, value)
        const encoded = success?.encode?.(value)
        if (success === undefined || (encoded !== undefined && Either.isLeft(encoded))) {
          return yield* Effect.as(Effect.logError("An answer did not match its schema", encoded), { ...internal(), headers: extra })
        }
        return { status: success.status, body: encoded === undefined ? undefined : JSON.stringify(encoded.right), headers: extra }
      }).pipe(
        Effect.merge,
        // a defect before the operation (admission meeting a database outage) is answered like one inside it
        Effect.catchAllCause((cause) => failed(route, cause, {}))
      )

    const handler: DirectHandler = (request, response) => {
      const url = request.url ?? "/"
      const found = router.find(request.method ?? "GET", url)
      if (found === undefined) return false
      const route = found.handler
      const headers = request.headers
      if (url.length * 3 > MAX_URL_BYTES && Buffer.byteLength(url) > MAX_URL_BYTES) return false
      if (route.secured && !(headers.authorization ?? "").startsWith("Bearer ")) return false
      if (headers["content-encoding"] !== undefined) return false
      const length = Number(headers["content-length"] ?? "0")
      const withBody = request.method !== "GET" && (headers["transfer-encoding"] !== undefined || length > 0)
      if (withBody && (route.payload === undefined || headers["transfer-encoding"] !== undefined || !(length <= options.maxBodyBytes) ||
        !isPlainJson(headers["content-type"]))) return false

      const run = (body: unknown) => {
        const fiber = runFork(Effect.map(answer(route, request, found, body), (answered) => write(request, response, answered)))
        response.once("close", () => {
          if (!response.writableEnded) fiber.unsafeInterruptAsFork(FiberId.none)
        })
      }
      if (!withBody) {
        // no body: what the platform reads as JSON from empty text
        run(null)
        return true
      }
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.once("end", () => {
        const text = Buffer.concat(chunks).toString("utf8")
        const problem = shapeProblem(text)
        if (problem !== undefined) return write(request, response, refused(new BodyTooComplex({ message: problem })))
        let parsed: unknown
        try {
          parsed = JSON.parse(text)
        } catch {
          return write(request, response, refused(new MalformedBody({ message: "The request body is not valid JSON" })))
        }
        const nul = nulPath(parsed)
        if (nul !== undefined) {
          const field = nul.join(".")
          return write(request, response, refused(InvalidRequest.fromIssues([{
            _tag: "Type",
            path: nul,
            message: `${field === "" ? "The body" : field} must not contain the NUL character (\\u0000)`
          }])))
        }
        run(parsed)
      })
      return true
    }
    return handler
  })
