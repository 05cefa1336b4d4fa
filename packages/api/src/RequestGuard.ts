import { HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Cause, Effect, Option } from "effect"

const bodies: Record<number, { readonly _tag: string; readonly code: string; readonly message: string }> = {
  400: { _tag: "MalformedBody", code: "malformed_json", message: "The request body is not valid JSON" },
  404: { _tag: "NotFound", code: "not_found", message: "No such route" },
  405: { _tag: "MethodNotAllowed", code: "method_not_allowed", message: "Method not allowed on this route" },
  413: { _tag: "PayloadTooLarge", code: "payload_too_large", message: "The request body is too large" },
  500: { _tag: "InternalError", code: "internal_error", message: "Something went wrong on our side" }
}

/**
 * The platform's schema errors (wrong types, unknown or missing fields) carry `issues` with each bad
 * field's path but no `code`: give them the code of every other bad-input answer, and the first path.
 */
const withDecodeErrorCode = (response: HttpServerResponse.HttpServerResponse) => {
  if (response.status !== 400 || response.body._tag !== "Uint8Array") return response
  let body: any
  try {
    body = JSON.parse(new TextDecoder().decode(response.body.body))
  } catch {
    return response
  }
  if (body?._tag !== "HttpApiDecodeError" || body.code !== undefined) return response
  const field = Array.isArray(body.issues) && Array.isArray(body.issues[0]?.path) ? body.issues[0].path.join(".") : ""
  return HttpServerResponse.unsafeJson(
    { _tag: body._tag, code: "invalid_input", field, message: body.message, issues: body.issues },
    { status: 400, headers: response.headers }
  )
}

const withJsonBody = (request: HttpServerRequest.HttpServerRequest, response: HttpServerResponse.HttpServerResponse) => {
  const body = bodies[response.status]
  if (response.status < 400 || response.body._tag !== "Empty" || body === undefined) return withDecodeErrorCode(response)
  const message = response.status === 404
    ? `No route for ${request.method} ${new URL(request.url, "http://localhost").pathname}`
    : body.message
  return HttpServerResponse.unsafeJson({ ...body, message }, { status: response.status, headers: response.headers })
}

/** Where the first string (key or value) holding U+0000 is, if any. */
const nulPath = (value: unknown, path: ReadonlyArray<string | number>): ReadonlyArray<string | number> | undefined => {
  if (typeof value === "string") return value.includes("\u0000") ? path : undefined
  if (typeof value !== "object" || value === null) return undefined
  for (const [key, item] of Object.entries(value)) {
    const at = [...path, Array.isArray(value) ? Number(key) : key]
    if (key.includes("\u0000")) return at
    const found = nulPath(item, at)
    if (found !== undefined) return found
  }
  return undefined
}

/** Plugins' inbound routes check signatures over the raw bytes, so the guard never reads (decodes) their body. */
const inbound = /^\/api\/integrations\/[^/]+\/inbound\//

/**
 * PostgreSQL text cannot hold U+0000, so a JSON body with `\u0000` in any string would fail in SQL as a
 * 500: answer 400 naming the field instead, before any handler runs.
 */
const rejectNul = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  if (!(request.headers["content-type"] ?? "").includes("json") || inbound.test(request.url)) return Option.none()
  const text = yield* Effect.orElseSucceed(request.text, () => "")
  if (!text.includes("\\u0000")) return Option.none()
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return Option.none()
  }
  const path = nulPath(parsed, [])
  if (path === undefined) return Option.none()
  const field = path.join(".")
  return Option.some(HttpServerResponse.unsafeJson(
    {
      _tag: "InvalidInput",
      code: "invalid_input",
      field,
      message: `${field === "" ? "The body" : field} must not contain the NUL character (\\u0000)`
    },
    { status: 400 }
  ))
})

/**
 * Every error answer is JSON with `_tag`, `code` and `message`: the platform answers a body that is not
 * JSON, an unknown route or a defect with an empty body, which clients cannot act on. Defects are logged.
 */
export const requestGuard = (app: HttpApp.Default): HttpApp.Default =>
  HttpApp.appendPreResponseHandler((request, response) => Effect.succeed(withJsonBody(request, response))).pipe(
    Effect.zipRight(rejectNul),
    Effect.flatMap(Option.match({ onNone: () => app, onSome: Effect.succeed })),
    Effect.tapErrorCause((cause) => Cause.isDie(cause) ? Effect.logError("Unhandled defect", cause) : Effect.void)
  )
