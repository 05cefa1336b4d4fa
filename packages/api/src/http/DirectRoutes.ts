import { Api } from "@clockme/domain/contract/api/Api"
import { Authentication } from "@clockme/domain/contract/api/Authentication"
import { edgeGroups } from "@clockme/domain/Operations"
import { shapedEncoderOf } from "@clockme/domain/contract/TimerEncoders"
import type { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { HttpApi, HttpApiSchema } from "@effect/platform"
import * as FindMyWay from "find-my-way-ts"
import { Either, Option, Schema, SchemaAST as AST } from "effect"
import type { Effect, ParseResult } from "effect"
import type { CurrentActor } from "@clockme/domain/contract/Actor"
import { edgeEndpoints } from "./OperationsHttp.js"

type Decode = (input: unknown) => Either.Either<unknown, ParseResult.ParseError>

/** One way an endpoint answers: its status, and the encoder of its body (none for an empty answer). */
export interface Answer {
  readonly schema: Schema.Schema.Any
  readonly is: (value: unknown) => boolean
  readonly status: number
  readonly encode: ((value: unknown) => Either.Either<unknown, ParseResult.ParseError>) | undefined
}

/** An endpoint of the contract, compiled once: its decoders, its answers, and whether it takes a key. */
export interface DirectRoute {
  readonly group: string
  readonly name: string
  readonly secured: boolean
  readonly path: Decode | undefined
  readonly urlParams: { readonly decode: Decode; readonly single: ReadonlySet<string> } | undefined
  readonly headers: Decode | undefined
  readonly payload: Decode | undefined
  readonly successes: ReadonlyArray<Answer>
  readonly errors: ReadonlyArray<Answer>
}

const members = (schema: Schema.Schema.All): ReadonlyArray<Schema.Schema.Any> => {
  const out = new Set<Schema.Schema.Any>()
  HttpApiSchema.deunionize(out, schema as Schema.Schema.Any)
  return [...out]
}

/** The schema's encoder, through its shaped one first where it has one (the hook's answers). */
const encoderOf = (schema: Schema.Schema.Any): Answer["encode"] => {
  if (HttpApiSchema.isVoid(schema.ast)) return undefined
  const encode = Schema.encodeEither(schema as Schema.Schema<unknown, unknown>)
  const shaped = shapedEncoderOf(schema)
  if (shaped === undefined) return encode
  return (value) => {
    const encoded = shaped(value)
    return encoded === undefined ? encode(value) : Either.right(encoded)
  }
}

const answerOf = (status: (schema: Schema.Schema.Any) => number) => (schema: Schema.Schema.Any): Answer => ({
  schema,
  is: Schema.is(schema),
  status: status(schema),
  encode: encoderOf(schema)
})

/** Answers in JSON (or nothing) only: CSV, text and binary answers stay with the platform. */
const isJson = (schema: Schema.Schema.Any) =>
  HttpApiSchema.isVoid(schema.ast) || HttpApiSchema.getEncoding(schema.ast).kind === "Json"

const decoder = (schema: Option.Option<Schema.Schema.Any>): Decode | undefined =>
  Option.match(schema, {
    onNone: () => undefined,
    onSome: (schema) => Schema.decodeUnknownEither(schema as Schema.Schema<unknown, unknown>)
  })

/**
 * Every endpoint of the contract the direct handler answers, by method and path: those answered by the table
 * of operations with JSON in and out. The rest (the session's edge, CSV negotiation, protobuf, multipart) and
 * every route beside the contract stay with the platform.
 */
export const directRoutes = (): FindMyWay.Router<DirectRoute> => {
  // the same router, with the same defaults, as the platform's (HttpRouter.toHttpApp)
  const router = FindMyWay.make<DirectRoute>()
  HttpApi.reflect(Api, {
    onGroup: () => undefined,
    onEndpoint: ({ endpoint: endpoint_, group: group_, middleware }) => {
      const endpoint = endpoint_ as unknown as HttpApiEndpoint.HttpApiEndpoint.AnyWithProps
      const group = group_ as HttpApiGroup.HttpApiGroup.AnyWithProps
      if (edgeGroups.has(group.identifier) || edgeEndpoints.has(`${group.identifier}.${endpoint.name}`)) return
      const successes = members(endpoint.successSchema)
      const payload = endpoint.payloadSchema
      if (!successes.every(isJson)) return
      if (Option.isSome(payload) && (endpoint.method === "GET" || HttpApiSchema.getEncoding(payload.value.ast).kind !== "Json")) return
      const secured = [...middleware].some((tag) => tag === (Authentication as unknown))
      if (middleware.size > (secured ? 1 : 0)) return
      const errors = [
        ...members(endpoint.errorSchema),
        ...members(group.errorSchema),
        ...members(Api.errorSchema as Schema.Schema.Any),
        ...(secured ? members(Authentication.failure) : [])
      ]
      router.on(endpoint.method, endpoint.path as FindMyWay.PathInput, {
        group: group.identifier,
        name: endpoint.name,
        secured,
        path: decoder(endpoint.pathSchema),
        urlParams: Option.getOrUndefined(Option.map(endpoint.urlParamsSchema, (schema) => ({
          decode: Schema.decodeUnknownEither(schema as Schema.Schema<unknown, unknown>),
          single: singleValued(schema.ast)
        }))),
        headers: decoder(endpoint.headersSchema),
        payload: decoder(payload),
        successes: successes.map(answerOf(HttpApiSchema.getStatusSuccess)),
        errors: errors.map(answerOf(HttpApiSchema.getStatusError))
      })
    }
  })
  return router
}

/** Whether a query parameter of this type takes one value (else it is a list, even when given once). */
const takesOne = (ast: AST.AST): boolean => {
  switch (ast._tag) {
    case "StringKeyword":
    case "Literal":
    case "TemplateLiteral":
    case "Enums":
      return true
    case "Union":
      return ast.types.some(takesOne)
    case "Suspend":
      return takesOne(ast.f())
    case "Refinement":
    case "Transformation":
      return takesOne(ast.from)
  }
  return false
}

/** The query parameters of a struct that take one value; the others are read as lists, as the platform reads them. */
const singleValued = (ast: AST.AST): ReadonlySet<string> => {
  const struct = AST.isTransformation(ast) ? ast.from : ast
  return new Set(AST.isTypeLiteral(struct)
    ? struct.propertySignatures.filter((property) => takesOne(property.type)).map((property) => String(property.name))
    : [])
}

/** The query as the endpoint's schema reads it: a repeated parameter is a list, a list parameter given once too. */
export const queryOf = (
  searchParams: Readonly<Record<string, string | ReadonlyArray<string>>>,
  single: ReadonlySet<string>
): Record<string, string | ReadonlyArray<string>> => {
  const out: Record<string, string | ReadonlyArray<string>> = {}
  for (const key in searchParams) {
    const value = searchParams[key]!
    out[key] = typeof value !== "string" || single.has(key) ? value : [value]
  }
  return out
}

/** The answer among `answers` whose schema takes `value` (the platform's union encoding picks the same way). */
export const answerFor = (answers: ReadonlyArray<Answer>, value: unknown): Answer | undefined =>
  answers.length === 1 ? answers[0] : answers.find((answer) => answer.is(value))

export type OperationRun = (request: Record<string, unknown>) => Effect.Effect<unknown, unknown, CurrentActor>
