import { HttpApi, HttpApiSchema, OpenApi } from "@effect/platform"
import { Issue } from "@effect/platform/HttpApiError"
import { Schema } from "effect"

/** How long a client is told to wait before retrying while the database is away (a restart takes seconds). */
export const OUTAGE_RETRY_AFTER_SECONDS = 5

/** At most this many bad fields are described, each message at most this long: a body with thousands of bad fields gets a short answer. */
export const MAX_ISSUES = 10
export const MAX_ISSUE_MESSAGE = 200

export const clip = (text: string): string => text.length > MAX_ISSUE_MESSAGE ? `${text.slice(0, MAX_ISSUE_MESSAGE)}…` : text

/**
 * A path, query, header or body that does not match its schema. The wire name is the platform's, so that
 * clients written against earlier answers keep working; the fields are ours: the first bad `field`, the
 * first few `issues` and how many there were.
 */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>("InvalidRequest")(
  "HttpApiDecodeError",
  {
    code: Schema.tag("invalid_input"),
    field: Schema.String.annotations({ description: "The path of the first bad field, dot-separated; empty for the body itself" }),
    message: Schema.String,
    issues: Schema.Array(Issue).annotations({ description: `The first ${MAX_ISSUES} issues` }),
    issueCount: Schema.Int.annotations({ description: "How many issues there were in all" })
  },
  HttpApiSchema.annotations({ status: 400, description: "The request does not match the expected schema" })
) {
  /** The answer to these issues: the first names the field, the rest are counted. */
  static fromIssues(issues: ReadonlyArray<typeof Issue.Type>): InvalidRequest {
    const first = issues[0]
    const field = first === undefined ? "" : first.path.map(String).join(".")
    const more = issues.length - 1
    return new InvalidRequest({
      field,
      message: first === undefined
        ? "The request does not match the expected schema"
        : `${field === "" ? "The body" : field}: ${clip(first.message)}${more > 0 ? ` (and ${more} more)` : ""}`,
      issues: issues.slice(0, MAX_ISSUES).map((issue) => ({ ...issue, message: clip(issue.message) })),
      issueCount: issues.length
    })
  }
}

export class MalformedBody extends Schema.TaggedError<MalformedBody>()(
  "MalformedBody",
  { code: Schema.tag("malformed_json"), message: Schema.String },
  HttpApiSchema.annotations({ status: 400, description: "The body is not valid JSON" })
) {}

export class BodyTooComplex extends Schema.TaggedError<BodyTooComplex>()(
  "BodyTooComplex",
  { code: Schema.tag("body_too_complex"), message: Schema.String },
  HttpApiSchema.annotations({ status: 400, description: "The JSON body nests deeper than 64 levels, or an object or array in it has more than 1000 members" })
) {}

export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()(
  "PayloadTooLarge",
  { code: Schema.tag("payload_too_large"), message: Schema.String },
  HttpApiSchema.annotations({ status: 413, description: "The body is larger than the server takes (CLOCKME_MAX_BODY_BYTES, 1 MiB by default)" })
) {}

export class UriTooLong extends Schema.TaggedError<UriTooLong>()(
  "UriTooLong",
  { code: Schema.tag("uri_too_long"), message: Schema.String },
  HttpApiSchema.annotations({ status: 414, description: "The URL is longer than 8 KiB" })
) {}

export class UnsupportedMediaType extends Schema.TaggedError<UnsupportedMediaType>()(
  "UnsupportedMediaType",
  { code: Schema.tag("unsupported_media_type"), message: Schema.String },
  HttpApiSchema.annotations({
    status: 415,
    description: "The body is not JSON (Content-Type: application/json), or has a Content-Encoding the server does not decode"
  })
) {}

export class HeadersTooLarge extends Schema.TaggedError<HeadersTooLarge>()(
  "HeadersTooLarge",
  { code: Schema.tag("headers_too_large"), message: Schema.String },
  HttpApiSchema.annotations({ status: 431, description: "The request line and headers are larger than 16 KiB" })
) {}

export class DatabaseUnavailable extends Schema.TaggedError<DatabaseUnavailable>("DatabaseUnavailable")(
  "ServiceUnavailable",
  { code: Schema.tag("database_unavailable"), message: Schema.String },
  HttpApiSchema.annotations({
    status: 503,
    description: `The database is not reachable right now; retry after Retry-After (${OUTAGE_RETRY_AFTER_SECONDS} s), ` +
      "writes with the same Idempotency-Key"
  })
) {
  static readonly now = (): DatabaseUnavailable =>
    new DatabaseUnavailable({
      message: `The database is not reachable right now; retry in ${OUTAGE_RETRY_AFTER_SECONDS} s (writes with the same Idempotency-Key)`
    })
}

/** No route has this method and path (a path parameter longer than the router takes is no route either). */
export class NoSuchRoute extends Schema.TaggedError<NoSuchRoute>("NoSuchRoute")(
  "NotFound",
  { code: Schema.tag("not_found"), message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

export class MethodNotAllowed extends Schema.TaggedError<MethodNotAllowed>()(
  "MethodNotAllowed",
  { code: Schema.tag("method_not_allowed"), message: Schema.String },
  HttpApiSchema.annotations({ status: 405 })
) {}

export class MalformedRequest extends Schema.TaggedError<MalformedRequest>("MalformedRequest")(
  "BadRequest",
  { code: Schema.tag("bad_request"), message: Schema.String },
  HttpApiSchema.annotations({ status: 400, description: "The request is not valid HTTP" })
) {}

export class InternalError extends Schema.TaggedError<InternalError>()(
  "InternalError",
  { code: Schema.tag("internal_error"), message: Schema.String },
  HttpApiSchema.annotations({ status: 500 })
) {}

/** Every refusal made at the edge, before or around an operation. */
export const Refusal = Schema.Union(
  InvalidRequest,
  MalformedBody,
  BodyTooComplex,
  PayloadTooLarge,
  UriTooLong,
  UnsupportedMediaType,
  HeadersTooLarge,
  DatabaseUnavailable,
  NoSuchRoute,
  MethodNotAllowed,
  MalformedRequest,
  InternalError
)
export type Refusal = typeof Refusal.Type

const encode = Schema.encodeSync(Refusal)

/** A refusal as every edge (REST, inbound routes, MCP) writes it: status, JSON body and headers. */
export const encodeRefusal = (refusal: Refusal): {
  readonly status: number
  readonly body: unknown
  readonly headers: Readonly<Record<string, string>>
} => ({
  status: HttpApiSchema.getStatusError(refusal.constructor as unknown as Schema.Schema.Any),
  body: encode(refusal),
  headers: refusal._tag === "ServiceUnavailable" ? { "retry-after": String(OUTAGE_RETRY_AFTER_SECONDS) } : {}
})

interface Operation {
  readonly responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema: JsonSchema }> }>
}

interface JsonSchema {
  readonly $ref?: string
  anyOf?: Array<JsonSchema>
}

const routeNotFound = "#/components/schemas/NoSuchRoute"

/** A path without parameters always routes: its 404s are the operation's own. */
const withoutRouteNotFound = (operation: Operation) => {
  const notFound = operation.responses["404"]
  const media = notFound?.content?.["application/json"]
  if (notFound === undefined || media === undefined) return
  if (media.schema.$ref === routeNotFound) {
    delete operation.responses["404"]
  } else if (media.schema.anyOf !== undefined) {
    media.schema.anyOf = media.schema.anyOf.filter((schema) => schema.$ref !== routeNotFound)
  }
}

const retryAfter = {
  description: "Seconds to wait before retrying (sent with database_unavailable)",
  schema: { type: "integer", minimum: 0 }
}

/** Statuses only a request with a body can be refused with. */
const bodyOnly = new Set(["413", "415"])

/**
 * The root of an API whose every operation declares the refusals it can meet: the decode error in our shape
 * (Effect's HttpApi has no way to replace its own yet, Effect-TS/effect#5465), a URL or headers too long, a
 * database outage, a path that routes nowhere (where the path has parameters), and, where a body can be
 * sent (any method but GET and HEAD), a body that is malformed, too complex, too large or of a type the
 * server does not read. Groups added to it, and their endpoints, inherit all of them.
 */
export const makeApi = <const Id extends string>(identifier: Id) => {
  const root = HttpApi.make(identifier)
  ;(root as { errorSchema: Schema.Schema.Any }).errorSchema = InvalidRequest
  return (root as unknown as HttpApi.HttpApi<Id, never, InvalidRequest>)
    .addError(MalformedBody)
    .addError(BodyTooComplex)
    .addError(PayloadTooLarge)
    .addError(UriTooLong)
    .addError(UnsupportedMediaType)
    .addError(HeadersTooLarge)
    .addError(DatabaseUnavailable)
    .addError(NoSuchRoute)
    .annotate(OpenApi.Transform, (spec) => {
      for (const [path, operations] of Object.entries(spec.paths as Record<string, Record<string, Operation>>)) {
        for (const [method, operation] of Object.entries(operations)) {
          if (method === "get" || method === "head") for (const status of bodyOnly) delete operation.responses[status]
          if (!path.includes("{")) withoutRouteNotFound(operation)
          const unavailable = operation.responses["503"]
          if (unavailable !== undefined) unavailable.headers = { "Retry-After": retryAfter }
        }
      }
      return spec
    })
}
