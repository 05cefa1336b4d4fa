import { HttpApp, HttpServerResponse } from "@effect/platform"
import type { HttpServerRequest } from "@effect/platform"
import { Cause, Effect } from "effect"

const bodies: Record<number, { readonly _tag: string; readonly code: string; readonly message: string }> = {
  400: { _tag: "MalformedBody", code: "malformed_json", message: "The request body is not valid JSON" },
  404: { _tag: "NotFound", code: "not_found", message: "No such route" },
  405: { _tag: "MethodNotAllowed", code: "method_not_allowed", message: "Method not allowed on this route" },
  413: { _tag: "PayloadTooLarge", code: "payload_too_large", message: "The request body is too large" },
  500: { _tag: "InternalError", code: "internal_error", message: "Something went wrong on our side" }
}

const withJsonBody = (request: HttpServerRequest.HttpServerRequest, response: HttpServerResponse.HttpServerResponse) => {
  const body = bodies[response.status]
  if (response.status < 400 || response.body._tag !== "Empty" || body === undefined) return response
  const message = response.status === 404
    ? `No route for ${request.method} ${new URL(request.url, "http://localhost").pathname}`
    : body.message
  return HttpServerResponse.unsafeJson({ ...body, message }, { status: response.status, headers: response.headers })
}

/**
 * Every error answer is JSON with `_tag`, `code` and `message`: the platform answers a body that is not
 * JSON, an unknown route or a defect with an empty body, which clients cannot act on. Defects are logged.
 */
export const requestGuard = (app: HttpApp.Default): HttpApp.Default =>
  HttpApp.appendPreResponseHandler((request, response) => Effect.succeed(withJsonBody(request, response))).pipe(
    Effect.zipRight(app),
    Effect.tapErrorCause((cause) => Cause.isDie(cause) ? Effect.logError("Unhandled defect", cause) : Effect.void)
  )
