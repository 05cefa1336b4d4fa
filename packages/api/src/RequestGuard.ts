import { SESSION_COOKIE } from "@clockme/domain/contract/Session"
import { Headers, HttpApp, HttpMiddleware, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { HttpApiDecodeError } from "@effect/platform/HttpApiError"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import type { Refusal } from "@clockme/domain/contract/Refusals"
import {
  BodyTooComplex,
  clip,
  encodeRefusal,
  InternalError,
  InvalidRequest,
  MalformedBody,
  MethodNotAllowed,
  NoSuchRoute,
  PayloadTooLarge,
  UnsupportedMediaType,
  UriTooLong
} from "@clockme/domain/contract/Refusals"
import { Cause, Data, Effect } from "effect"
import type { IncomingMessage } from "node:http"
import * as zlib from "node:zlib"
import { statusBytes } from "./http/OtlpProtobuf.js"
import { dashboardResponse, isDashboardPath } from "./Web.js"

export interface GuardOptions {
  readonly maxBodyBytes: number
  /** Origins a browser may call the REST API from; none means no CORS at all. */
  readonly corsOrigins: ReadonlyArray<string>
}

/** Deeper or wider JSON is no request of ours, and would cost the decoder and its error report dearly. */
export const MAX_DEPTH = 64
export const MAX_MEMBERS = 1000
/** Longer URLs are refused here; Node refuses a request line and headers over 16 KB itself (see Http.ts). */
export const MAX_URL_BYTES = 8 * 1024

/** A refusal of the contract as an HTTP answer, written by the one encoder every edge shares. */
export const refusalResponse = (refusal: Refusal, headers: Record<string, string> = {}) => {
  const encoded = encodeRefusal(refusal)
  return HttpServerResponse.unsafeJson(encoded.body, { status: encoded.status, headers: { ...encoded.headers, ...headers } })
}

const jsonPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

/** What every JSON answer of the API carries (a key's or a session's also `cache-control: no-store`). */
export const jsonSecurityHeaders: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "content-security-policy": jsonPolicy
}
/**
 * The docs page runs the bundled Scalar inline (which compiles a WebAssembly hash function), styles itself
 * inline, uses the system's fonts, and calls this API: nothing from any other host.
 */
const docsPolicy = "default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval'; style-src 'unsafe-inline'; " +
  "img-src data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

/** The dashboard's pages: its own scripts and styles only (none inline), and calls to this server. */
const pagePolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

const inbound = /^\/api\/integrations\/[^/]+\/inbound\//

const pathOf = (request: HttpServerRequest.HttpServerRequest) => new URL(request.url, "http://localhost").pathname

/** An answer to a key, a session, or about a session (signing in) is never stored by a cache. */
const isPrivate = (request: HttpServerRequest.HttpServerRequest) =>
  !isDashboardPath(pathOf(request)) &&
  (request.headers.authorization !== undefined || SESSION_COOKIE in request.cookies || pathOf(request).startsWith("/api/session"))

const policyOf = (path: string) => path === "/api/docs" ? docsPolicy : isDashboardPath(path) ? pagePolicy : jsonPolicy

const secured = (request: HttpServerRequest.HttpServerRequest, response: HttpServerResponse.HttpServerResponse) =>
  HttpServerResponse.setHeaders(response, {
    ...jsonSecurityHeaders,
    "content-security-policy": policyOf(pathOf(request)),
    ...(isPrivate(request) ? { "cache-control": "no-store" } : {})
  })

/** The platform answers an unknown route, a wrong method or a defect with an empty body: give it a JSON one. */
const withJsonBody = (request: HttpServerRequest.HttpServerRequest, response: HttpServerResponse.HttpServerResponse) => {
  if (response.status < 400 || response.body._tag !== "Empty") return response
  const refusal = emptyRefusal(request, response.status)
  if (refusal === undefined) return response
  const encoded = encodeRefusal(refusal)
  return HttpServerResponse.unsafeJson(encoded.body, { status: response.status, headers: response.headers })
}

const emptyRefusal = (request: HttpServerRequest.HttpServerRequest, status: number): Refusal | undefined => {
  switch (status) {
    case 400:
      return new MalformedBody({ message: "The request body is not valid JSON" })
    case 404:
      return new NoSuchRoute({ message: `No route for ${request.method} ${pathOf(request)}` })
    case 405:
      return new MethodNotAllowed({ message: "Method not allowed on this route" })
    case 413:
      return new PayloadTooLarge({ message: "The request body is too large" })
    case 500:
      return new InternalError({ message: "Something went wrong on our side" })
  }
  return undefined
}

/** A schema error as every bad-input answer looks: the code, the first bad field, and the first few issues with their count. */
export const decodeErrorResponse = (error: HttpApiDecodeError) => refusalResponse(InvalidRequest.fromIssues(error.issues))

/** How deep and wide the JSON text nests, counted without parsing: a bound checked before any real work. */
export const shapeProblem = (text: string): string | undefined => {
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
export const nulPath = (root: unknown): ReadonlyArray<string | number> | undefined => {
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
class InflatesTooLarge extends Data.TaggedError("InflatesTooLarge") {}
class NotGzip extends Data.TaggedError("NotGzip")<{ readonly reason: string }> {}

/** A gzip body inflated, stopping at the limit: a small body that inflates without end (a zip bomb) is a 413. */
const gunzip = (bytes: Buffer, maxBytes: number) =>
  Effect.async<Buffer, InflatesTooLarge | NotGzip>((resume) => {
    zlib.gunzip(bytes, { maxOutputLength: maxBytes }, (error, inflated) => {
      if (error === null) return resume(Effect.succeed(inflated))
      resume(
        (error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE"
          ? Effect.fail(new InflatesTooLarge())
          : Effect.fail(new NotGzip({ reason: error.message }))
      )
    })
  })

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

/** The one route that takes a binary body: OTLP/HTTP logs in protobuf. */
const OTLP_LOGS = "/api/otlp/v1/logs"
const isProtobuf = (contentType: string | undefined) =>
  (contentType ?? "").split(";")[0]!.trim().toLowerCase() === "application/x-protobuf"

/**
 * OTLP/HTTP answers a failed protobuf export with a protobuf `google.rpc.Status`: every refusal of one (the
 * guard's, authentication's, the rate limit's, the operation's) is re-encoded so, keeping status and headers.
 */
const withStatusBody = (request: HttpServerRequest.HttpServerRequest, response: HttpServerResponse.HttpServerResponse) => {
  if (response.status < 400 || pathOf(request) !== OTLP_LOGS || !isProtobuf(request.headers["content-type"])) return response
  // already protobuf: this runs on the router's answers and again on the guard's own
  if (response.body._tag === "Uint8Array" && response.body.contentType === "application/x-protobuf") return response
  let message = "The export was refused"
  if (response.body._tag === "Uint8Array") {
    try {
      const parsed = JSON.parse(new TextDecoder().decode(response.body.body))
      if (typeof parsed?.message === "string") message = parsed.message
    } catch {
      // not a JSON refusal: the generic message stands
    }
  }
  return HttpServerResponse.uint8Array(statusBytes(response.status, message), {
    status: response.status,
    headers: response.headers,
    contentType: "application/x-protobuf"
  })
}

/** The same request, answering `arrayBuffer` from the bytes already read here (within the limit). */
const withBytes = (request: HttpServerRequest.HttpServerRequest, bytes: Buffer): HttpServerRequest.HttpServerRequest =>
  Object.create(request, {
    arrayBuffer: { value: Effect.succeed(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) }
  })

/** How much of a refused body is read and thrown away, at most, before the connection is cut. */
const LINGER_BYTES = 8 * 1024 * 1024
const LINGER_MS = 2_000

/**
 * After a 413, the rest of the body is read and discarded (up to LINGER_BYTES or LINGER_MS, as nginx's
 * lingering close does) rather than the socket closed under a client still sending: a close with unread
 * data resets the connection, and the reset makes the client drop the 413 it had not read yet (Node's
 * fetch reports EPIPE). A body that ends within the bound leaves the connection open for the next request.
 * The bound is the socket's, in wall time, not the application's clock.
 */
const discardRest = (source: IncomingMessage) => {
  if (source.complete) return
  let seen = 0
  const cut = () => {
    clearTimeout(timer)
    source.off("data", onData)
    if (!source.complete) source.socket.destroy()
  }
  const onData = (chunk: Buffer) => {
    seen += chunk.length
    if (seen > LINGER_BYTES) cut()
  }
  const timer = setTimeout(cut, LINGER_MS).unref()
  source.on("data", onData)
  source.once("end", () => clearTimeout(timer))
  source.once("close", () => clearTimeout(timer))
  source.resume()
}

/** A Content-Encoding other than identity: the server would otherwise read compressed bytes as the body. */
const encodingOf = (request: HttpServerRequest.HttpServerRequest): string | undefined => {
  const codings = (request.headers["content-encoding"] ?? "").split(",").map((coding) => coding.trim().toLowerCase())
  const other = codings.filter((coding) => coding !== "" && coding !== "identity")
  return other.length === 0 ? undefined : other.join(", ")
}

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

  const tooLarge = (request: HttpServerRequest.HttpServerRequest) =>
    Effect.sync(() => {
      discardRest(NodeHttpServerRequest.toIncomingMessage(request))
      return refusalResponse(new PayloadTooLarge({ message: `The request body is larger than ${options.maxBodyBytes} bytes` }))
    })

  return (app: HttpApp.Default): HttpApp.Default => {
    const admitted = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const mcp = pathOf(request) === "/api/mcp"
      if (Buffer.byteLength(request.url) > MAX_URL_BYTES) {
        return refusalResponse(new UriTooLong({ message: `The URL is longer than ${MAX_URL_BYTES} bytes` }))
      }
      if (request.method === "GET" || request.method === "HEAD") {
        const page = isDashboardPath(pathOf(request)) ? yield* dashboardResponse(pathOf(request)) : undefined
        // answered before the app, so the pre-response handler below never sees it
        return page === undefined ? yield* app : secured(request, page)
      }
      // an empty protobuf message is zero bytes: an export of nothing, still answered in protobuf
      if (!hasBody(request) && pathOf(request) === OTLP_LOGS && isProtobuf(request.headers["content-type"])) {
        return yield* Effect.provideService(app, HttpServerRequest.HttpServerRequest, withBytes(request, Buffer.alloc(0)))
      }
      if (!hasBody(request)) {
        // No body, so nothing for a Content-Type to describe: the endpoint gets a request without a body,
        // whatever the header says (the platform would wait forever for an empty multipart stream, and
        // read an empty form as `{}` or empty text as a body).
        const untyped = request.headers["content-type"] === undefined || mcp || inbound.test(pathOf(request))
        return yield* untyped ? app : Effect.provideService(app, HttpServerRequest.HttpServerRequest, withoutContentType(request))
      }
      if (Number(request.headers["content-length"] ?? "0") > options.maxBodyBytes) return yield* tooLarge(request)
      const encoding = encodingOf(request)
      const otlp = pathOf(request) === OTLP_LOGS
      // OTLP exporters may gzip their exports (OTEL_EXPORTER_OTLP_COMPRESSION); nothing else is decoded
      const gzipped = otlp && encoding === "gzip"
      if (encoding !== undefined && !gzipped) {
        return refusalResponse(new UnsupportedMediaType({
          message: otlp
            ? `The export has Content-Encoding: ${clip(encoding)}; this receiver decodes gzip only`
            : `The request body has Content-Encoding: ${clip(encoding)}, which this server does not decode; send it unencoded`
        }))
      }
      // plugins' inbound routes check signatures over the raw bytes, so their body is left unread here
      if (inbound.test(pathOf(request))) return yield* app
      const received = readBytes(NodeHttpServerRequest.toIncomingMessage(request), options.maxBodyBytes)
      const body = gzipped ? Effect.flatMap(received, (bytes) => gunzip(bytes, options.maxBodyBytes)) : received
      if (otlp && isProtobuf(request.headers["content-type"])) {
        const bytes = yield* body
        return yield* Effect.provideService(app, HttpServerRequest.HttpServerRequest, withBytes(request, bytes))
      }
      // the MCP transport answers a wrong content type itself, as JSON-RPC
      if (!mcp && !isJson(request.headers["content-type"])) {
        return refusalResponse(new UnsupportedMediaType({
          message: pathOf(request) === OTLP_LOGS
            ? "An OTLP export must be application/json or application/x-protobuf"
            : "The request body must be JSON (Content-Type: application/json)"
        }))
      }
      const text = (yield* body).toString("utf8")
      const forward = Effect.provideService(app, HttpServerRequest.HttpServerRequest, withText(request, text))
      if (isJson(request.headers["content-type"]) && text !== "") {
        const problem = shapeProblem(text)
        if (problem !== undefined) return refusalResponse(new BodyTooComplex({ message: problem }))
        let parsed: unknown
        try {
          parsed = JSON.parse(text)
        } catch {
          // the MCP transport answers it as a JSON-RPC parse error (-32700)
          if (mcp) return yield* forward
          return refusalResponse(new MalformedBody({ message: "The request body is not valid JSON" }))
        }
        const path = nulPath(parsed)
        if (path !== undefined) {
          const field = path.join(".")
          const message = `${field === "" ? "The body" : field} must not contain the NUL character (\\u0000)`
          // an MCP request gets a JSON-RPC error it can match to its id, as for any other bad argument
          if (mcp && isRpcRequest(parsed)) {
            return HttpServerResponse.unsafeJson({ jsonrpc: "2.0", id: parsed.id, error: { code: -32602, message } })
          }
          return refusalResponse(InvalidRequest.fromIssues([{ _tag: "Type", path, message }]))
        }
      }
      return yield* forward
    }).pipe(
      Effect.catchTags({
        BodyTooLarge: () => Effect.flatMap(HttpServerRequest.HttpServerRequest, tooLarge),
        InflatesTooLarge: () =>
          Effect.succeed(refusalResponse(new PayloadTooLarge({ message: `The export inflates to more than ${options.maxBodyBytes} bytes` }))),
        NotGzip: ({ reason }) =>
          Effect.succeed(refusalResponse(new MalformedBody({ message: `The export is not valid gzip: ${clip(reason)}` }))),
        ClientGone: () =>
          Effect.logDebug("Client went away while sending the body").pipe(
            Effect.as(HttpServerResponse.empty({ status: 499 }))
          )
      })
    )

    return HttpApp.appendPreResponseHandler((request, response) => Effect.succeed(secured(request, withStatusBody(request, withJsonBody(request, response)))))
      .pipe(
        Effect.zipRight(HttpServerRequest.HttpServerRequest),
        Effect.flatMap((request) =>
          Effect.map(
            cors === undefined || pathOf(request) === "/api/mcp" ? admitted : cors(admitted),
            // the guard's own refusals never pass the pre-response handler above, which sees the app's answers only
            (response) => secured(request, withStatusBody(request, response))
          )
        ),
        Effect.tapErrorCause((cause) => Cause.isDie(cause) ? Effect.logError("Unhandled defect", cause) : Effect.void)
      )
  }
}
