import type { Actor } from "@clockme/domain/contract/Actor"
import { CurrentActor } from "@clockme/domain/contract/Actor"
import { SESSION_COOKIE } from "@clockme/domain/contract/Session"
import type { Refusal } from "@clockme/domain/contract/Refusals"
import { BodyTooComplex, DatabaseUnavailable, encodeRefusal, InternalError, InvalidRequest, MalformedBody } from "@clockme/domain/contract/Refusals"
import { Operations } from "@clockme/domain/Operations"
import { isDatabaseOutage } from "@clockme/domain/repos/SqlErrors"
import { Admission, admittedHeaders, refusalHeaders } from "@clockme/domain/services/Admission"
import type { Admitted, Refused } from "@clockme/domain/services/Admission"
import { Cookies } from "@effect/platform"
import { Cause, Context, Effect, Either, Exit, FiberId, Option, ParseResult, Redacted, Runtime } from "effect"
import type { Fiber } from "effect"
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

/** A fiber answering `response` is interrupted when the client goes away before the answer is written. */
const watch = (response: ServerResponse, fiber: Fiber.RuntimeFiber<unknown, unknown>) => {
  response.once("close", () => {
    if (!response.writableEnded) fiber.unsafeInterruptAsFork(FiberId.none)
  })
}

interface Found {
  readonly params: Record<string, string | undefined>
  readonly searchParams: Record<string, string | Array<string>>
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
    const clock = yield* Effect.clock
    const runtime = yield* Effect.runtime<never>()
    const runFork = Runtime.runFork(runtime)
    // an admitted request's operation runs in a fiber whose context has the actor: no provideService around it
    const runAs = (actor: Actor) =>
      Runtime.runFork(Runtime.make({
        context: Context.add(runtime.context, CurrentActor, actor),
        fiberRefs: runtime.fiberRefs,
        runtimeFlags: runtime.runtimeFlags
      }))
    const router = directRoutes()

    /** The answer of a failure its endpoint declares, else undefined. */
    const declared = (route: DirectRoute, failure: unknown, extra: Record<string, string>): Answered | undefined => {
      const answer = answerFor(route.errors, failure)
      const encoded = answer?.encode?.(failure)
      if (answer === undefined || (encoded !== undefined && Either.isLeft(encoded))) return undefined
      return { status: answer.status, body: encoded === undefined ? undefined : JSON.stringify(encoded.right), headers: extra }
    }

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
      const answered = Option.isSome(failure) ? declared(route, failure.value, extra) : undefined
      if (answered !== undefined) return Effect.succeed(answered)
      return Effect.as(Effect.logError("Unhandled defect", cause), { ...internal(), headers: extra })
    }

    /** Path, body, headers and query through the endpoint's schemas, in the platform's order; or the 400. */
    const decode = (route: DirectRoute, request: IncomingMessage, found: Found, body: unknown, extra: Record<string, string>) => {
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
      return { decoded }
    }

    /**
     * Answers a request whose body is read: admission (without a fiber when the key's row is cached, see
     * Admission.admitCached), the schemas, then the operation in one fiber, its exit answered as it ends.
     */
    const answer = (route: DirectRoute, request: IncomingMessage, response: ServerResponse, found: Found, body: unknown) => {
      const reply = (answered: Answered) => write(request, response, answered)
      const replyWith = (answered: Effect.Effect<Answered>) => watch(response, runFork(Effect.map(answered, reply)))
      // what throws is a defect, answered as one (without the quota's headers, as a defect of the fiber was)
      const guarded = (run: () => void) => {
        try {
          run()
        } catch (defect) {
          replyWith(failed(route, Cause.die(defect), {}))
        }
      }
      const proceed = (actor: Actor | undefined, extra: Record<string, string>) =>
        guarded(() => {
          const input = decode(route, request, found, body, extra)
          if (!("decoded" in input)) return reply(input)
          const operation = operations[route.group]![route.name]!(input.decoded) as Effect.Effect<unknown, unknown, CurrentActor>
          // a public endpoint's operation reads no actor
          const fiber = actor === undefined ? runFork(operation as Effect.Effect<unknown, unknown>) : runAs(actor)(operation)
          fiber.addObserver((exit) =>
            guarded(() => {
              if (Exit.isFailure(exit)) return replyWith(failed(route, exit.cause, extra))
              const value = exit.value
              const success = answerFor(route.successes, value)
              const encoded = success?.encode?.(value)
              if (success === undefined || (encoded !== undefined && Either.isLeft(encoded))) {
                return replyWith(Effect.as(Effect.logError("An answer did not match its schema", encoded), { ...internal(), headers: extra }))
              }
              reply({ status: success.status, body: encoded === undefined ? undefined : JSON.stringify(encoded.right), headers: extra })
            })
          )
          watch(response, fiber)
        })
      const admitted = (result: Admitted | Refused) => {
        if ("quota" in result) return proceed(result.actor, admittedHeaders(result))
        const headers = refusalHeaders(result, true)
        const refusal = declared(route, result, headers)
        refusal === undefined ? replyWith(failed(route, Cause.fail(result), headers)) : reply(refusal)
      }
      if (!route.secured) return proceed(undefined, {})
      guarded(() => {
        const token = request.headers.authorization!.slice(7)
        const workspace = request.headers["x-clockme-workspace"] as string | undefined
        const cached = admission.admitCached(token, workspace, clock.unsafeCurrentTimeMillis())
        if (cached !== undefined) return admitted(cached)
        const fiber = runFork(Effect.either(admission.admit(Redacted.make(token), workspace)))
        fiber.addObserver((exit) =>
          guarded(() =>
            // a defect of admission (a database outage) is answered like one of the operation
            Exit.isFailure(exit) ? replyWith(failed(route, exit.cause, {})) : admitted(Either.merge(exit.value))
          )
        )
        watch(response, fiber)
      })
    }

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

      const run = (body: unknown) => answer(route, request, response, found, body)
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
