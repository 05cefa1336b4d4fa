import { Headers, HttpApp, HttpMiddleware, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { HttpApiDecodeError } from "@effect/platform/HttpApiError"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import { Cause, Data, Effect } from "effect"
import type { IncomingMessage } from "node:http"

export interface GuardOptions {
  readonly maxBodyBytes: number
  /** Origins a browser may call the REST API from; none means no CORS at all. */
  readonly corsOrigins: ReadonlyArray<string>
}

/** Deeper or wider JSON is no request of ours, and would cost the decoder and its error report dearly. */
export const MAX_DEPTH = 64
export const MAX_MEMBERS = 1000
/** Longer URLs are refused here; Node refuses a request line and headers over 16 KB itself (see Http.ts). */
const MAX_URL_BYTES = 8 * 1024
const MAX_ISSUES = 10
const MAX_ISSUE_MESSAGE = 200

const refusals = {
  400: { _tag: "MalformedBody", code: "malformed_json", message: "The request body is not valid JSON" },
  404: { _tag: "NotFound", code: "not_found", message: "No such route" },
  405: { _tag: "MethodNotAllowed", code: "method_not_allowed", message: "Method not allowed on this route" },
  413: { _tag: "PayloadTooLarge", code: "payload_too_large", message: "The request body is too large" },
  500: { _tag: "InternalError", code: "internal_error", message: "Something went wrong on our side" }
} as const satisfies Record<number, { readonly _tag: string; readonly code: string; readonly message: string }>

const refuse = (status: number, _tag: string, code: string, message: string, headers: Record<string, string> = {}) =>
  HttpServerResponse.unsafeJson({ _tag, code, message }, { status, headers })

const jsonPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
/** The docs page runs the bundled Scalar inline, with its fonts from Scalar's CDN, and calls this API. */
const docsPolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; " +
  "font-src data: https://fonts.scalar.com; img-src 'self' data: https:; connect-src 'self'; worker-src blob:; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

const inbound = /^\/api\/integrations\/[^/]+\/inbound\//

const pathOf = (request: HttpServerRequest.HttpServerRequest) => new URL(request.url, "http://localhost").pathname

const secured = (request: HttpServerRequest.HttpServerRequest, response: HttpServerResponse.HttpServerResponse) =>
  HttpServerResponse.setHeaders(response, {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": pathOf(request) === "/api/docs" ? docsPolicy : jsonPolicy,
    ...(request.headers.authorization === undefined ? {} : { "cache-control": "no-store" })
  })

/** The platform answers an unknown route, a wrong method or a defect with an empty body: give it a JSON one. */
const withJsonBody = (request: HttpServerRequest.HttpServerRequest, response: HttpServerResponse.HttpServerResponse) => {
  const body = refusals[response.status as keyof typeof refusals]
  if (response.status < 400 || response.body._tag !== "Empty" || body === undefined) return response
  const message = response.status === 404 ? `No route for ${request.method} ${pathOf(request)}` : body.message
  return HttpServerResponse.unsafeJson({ ...body, message }, { status: response.status, headers: response.headers })
}

const clip = (text: string) => text.length > MAX_ISSUE_MESSAGE ? `${text.slice(0, MAX_ISSUE_MESSAGE)}…` : text

/**
 * A schema error as every bad-input answer looks: the code, the first bad field, and the first few issues
 * with their count (a body with thousands of bad fields gets a short answer).
 */
export const decodeErrorResponse = (error: HttpApiDecodeError) => {
  const first = error.issues[0]
  const field = first === undefined ? "" : first.path.join(".")
  const more = error.issues.length - 1
  const message = first === undefined
    ? "The request does not match the expected schema"
    : `${field === "" ? "The body" : field}: ${clip(first.message)}${more > 0 ? ` (and ${more} more)` : ""}`
  return HttpServerResponse.unsafeJson({
    _tag: error._tag,
    code: "invalid_input",
    field,
    message,
    issues: error.issues.slice(0, MAX_ISSUES).map((issue) => ({ ...issue, message: clip(issue.message) })),
    issueCount: error.issues.length
  }, { status: 400 })
}

/** How deep and wide the JSON text nests, counted without parsing: a bound checked before any real work. */
const shapeProblem = (text: string): string | undefined => {
  const members: Array<number> = []
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 91 || c === 123) {
      members.push(1)
      if (members.length > MAX_DEPTH) return `The JSON body nests deeper than ${MAX_DEPTH} levels`
    } else if (c === 93 || c === 125) members.pop()
    else if (c === 44 && members.length > 0) {
      const count = members[members.length - 1]! + 1
      members[members.length - 1] = count
      if (count > MAX_MEMBERS) return `A JSON object or array in the body has more than ${MAX_MEMBERS} members`
    }
  }
  return undefined
}

/** Where the first string (key or value) holding U+0000 is, in document order; walked without recursion. */
const nulPath = (root: unknown): ReadonlyArray<string | number> | undefined => {
  const stack: Array<{ readonly value: unknown; readonly path: ReadonlyArray<string | number> }> = [{ value: root, path: [] }]
  while (stack.length > 0) {
    const { path, value } = stack.pop()!
    if (typeof value === "string") {
      if (value.includes("\u0000")) return path
      continue
    }
    if (typeof value !== "object" || value === null) continue
    const children = Array.isArray(value)
      ? value.map((item, index) => ({ value: item as unknown, path: [...path, index] }))
      : Object.entries(value).map(([key, item]) => ({ value: item, path: [...path, key] }))
    for (const child of children) {
      const key = child.path[child.path.length - 1]
      if (typeof key === "string" && key.includes("\u0000")) return child.path
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!)
  }
  return undefined
}

class BodyTooLarge extends Data.TaggedError("BodyTooLarge") {}
class ClientGone extends Data.TaggedError("ClientGone") {}

/** Reads the body, counting bytes as they come, and stops at the limit without holding more. */
const readBytes = (source: IncomingMessage, maxBytes: number) =>
  Effect.async<Buffer, BodyTooLarge | ClientGone>((resume) => {
    const chunks: Array<Buffer> = []
    let size = 0
    const cleanup = () => {
      source.off("data", onData)
      source.off("end", onEnd)
      source.off("error", onGone)
      source.off("close", onClose)
    }
    const finish = (effect: Effect.Effect<Buffer, BodyTooLarge | ClientGone>) => {
      cleanup()
      resume(effect)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= maxBytes) return void chunks.push(chunk)
      source.pause()
      finish(Effect.fail(new BodyTooLarge()))
    }
    const onEnd = () => finish(Effect.succeed(Buffer.concat(chunks)))
    const onGone = () => finish(Effect.fail(new ClientGone()))
    const onClose = () => {
      if (!source.complete) onGone()
    }
    source.on("data", onData)
    source.once("end", onEnd)
    source.once("error", onGone)
    source.once("close", onClose)
    return Effect.sync(cleanup)
  })

const readBody = (source: IncomingMessage, maxBytes: number) =>
  Effect.map(readBytes(source, maxBytes), (bytes) => bytes.toString("utf8"))

/** The one route that takes a binary body: OTLP/HTTP logs in protobuf. */
const OTLP_LOGS = "/api/otlp/v1/logs"
const isProtobuf = (contentType: string | undefined) =>
  (contentType ?? "").split(";")[0]!.trim().toLowerCase() === "application/x-protobuf"

/** The same request, answering `arrayBuffer` from the bytes already read here (within the limit). */
const withBytes = (request: HttpServerRequest.HttpServerRequest, bytes: Buffer): HttpServerRequest.HttpServerRequest =>
  Object.create(request, {
    arrayBuffer: { value: Effect.succeed(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) }
  })

const hasBody = (request: HttpServerRequest.HttpServerRequest) =>
  request.headers["transfer-encoding"] !== undefined || Number(request.headers["content-length"] ?? "0") > 0

const isJson = (contentType: string | undefined) => {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase()
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"))
}

/**
 * The same request, answering `text` (and so `json`) from the body already read here: the platform's own
 * reader would drop the connection at the limit instead of letting us answer 413. Everything else,
 * including the Node response the answer is written to, is the original's.
 */
const withText = (request: HttpServerRequest.HttpServerRequest, text: string): HttpServerRequest.HttpServerRequest =>
  Object.create(request, { text: { value: Effect.succeed(text) } })

const isRpcRequest = (value: unknown): value is { readonly id: string | number } =>
  typeof value === "object" && value !== null && !Array.isArray(value) &&
  (typeof (value as { id?: unknown }).id === "string" || typeof (value as { id?: unknown }).id === "number")

/** The same request without its Content-Type header. */
const withoutContentType = (request: HttpServerRequest.HttpServerRequest): HttpServerRequest.HttpServerRequest =>
  Object.create(request, { headers: { value: Headers.remove(request.headers, "content-type") } })

/**
 * Everything a request meets before routing and authentication: URL and body bounds, the content type,
 * JSON that is malformed, too deep or too wide, or holds NUL (PostgreSQL text cannot); all answered
 * 4xx in JSON without reading more than the limit. Then the security headers, and CORS where allowed.
 */
export const requestGuard = (options: GuardOptions) => {
  const cors = options.corsOrigins.length === 0
    ? undefined
    : HttpMiddleware.cors({
      allowedOrigins: options.corsOrigins,
      allowedHeaders: ["authorization", "content-type", "idempotency-key", "x-clockme-workspace"],
      exposedHeaders: ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "retry-after"]
    })

  const tooLarge = refuse(413, refusals[413]._tag, refusals[413].code, `The request body is larger than ${options.maxBodyBytes} bytes`, {
    connection: "close"
  })

  return (app: HttpApp.Default): HttpApp.Default => {
    const admitted = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const mcp = pathOf(request) === "/api/mcp"
      if (Buffer.byteLength(request.url) > MAX_URL_BYTES) {
        return refuse(414, "UriTooLong", "uri_too_long", `The URL is longer than ${MAX_URL_BYTES} bytes`)
      }
      if (request.method === "GET" || request.method === "HEAD") return yield* app
      if (!hasBody(request)) {
        // No body, so nothing for a Content-Type to describe: the endpoint gets a request without a body,
        // whatever the header says (the platform would wait forever for an empty multipart stream, and
        // read an empty form as `{}` or empty text as a body).
        const untyped = request.headers["content-type"] === undefined || mcp || inbound.test(pathOf(request))
        return yield* untyped ? app : Effect.provideService(app, HttpServerRequest.HttpServerRequest, withoutContentType(request))
      }
      if (Number(request.headers["content-length"] ?? "0") > options.maxBodyBytes) return tooLarge
      // plugins' inbound routes check signatures over the raw bytes, so their body is left unread here
      if (inbound.test(pathOf(request))) return yield* app
      if (pathOf(request) === OTLP_LOGS && isProtobuf(request.headers["content-type"])) {
        const bytes = yield* readBytes(NodeHttpServerRequest.toIncomingMessage(request), options.maxBodyBytes)
        return yield* Effect.provideService(app, HttpServerRequest.HttpServerRequest, withBytes(request, bytes))
      }
      // the MCP transport answers a wrong content type itself, as JSON-RPC
      if (!mcp && !isJson(request.headers["content-type"])) {
        return refuse(415, "UnsupportedMediaType", "unsupported_media_type", pathOf(request) === OTLP_LOGS
          ? "An OTLP export must be application/json or application/x-protobuf"
          : "The request body must be JSON (Content-Type: application/json)")
      }
      const text = yield* readBody(NodeHttpServerRequest.toIncomingMessage(request), options.maxBodyBytes)
      const forward = Effect.provideService(app, HttpServerRequest.HttpServerRequest, withText(request, text))
      if (isJson(request.headers["content-type"]) && text !== "") {
        const problem = shapeProblem(text)
        if (problem !== undefined) return refuse(400, "BodyTooComplex", "body_too_complex", problem)
        let parsed: unknown
        try {
          parsed = JSON.parse(text)
        } catch {
          // the MCP transport answers it as a JSON-RPC parse error (-32700)
          if (mcp) return yield* forward
          return refuse(400, refusals[400]._tag, refusals[400].code, refusals[400].message)
        }
        const path = nulPath(parsed)
        if (path !== undefined) {
          const field = path.join(".")
          const message = `${field === "" ? "The body" : field} must not contain the NUL character (\\u0000)`
          // an MCP request gets a JSON-RPC error it can match to its id, as for any other bad argument
          if (mcp && isRpcRequest(parsed)) {
            return HttpServerResponse.unsafeJson({ jsonrpc: "2.0", id: parsed.id, error: { code: -32602, message } })
          }
          return HttpServerResponse.unsafeJson({
            _tag: "InvalidInput",
            code: "invalid_input",
            field,
            message
          }, { status: 400 })
        }
      }
      return yield* forward
    }).pipe(
      Effect.catchTags({
        BodyTooLarge: () => Effect.succeed(tooLarge),
        ClientGone: () =>
          Effect.logDebug("Client went away while sending the body").pipe(
            Effect.as(HttpServerResponse.empty({ status: 499 }))
          )
      })
    )

    return HttpApp.appendPreResponseHandler((request, response) => Effect.succeed(secured(request, withJsonBody(request, response))))
      .pipe(
        Effect.zipRight(HttpServerRequest.HttpServerRequest),
        Effect.flatMap((request) => cors === undefined || pathOf(request) === "/api/mcp" ? admitted : cors(admitted)),
        Effect.tapErrorCause((cause) => Cause.isDie(cause) ? Effect.logError("Unhandled defect", cause) : Effect.void)
      )
  }
}
