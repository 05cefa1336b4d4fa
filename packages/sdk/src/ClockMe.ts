import { Api } from "@clockme/domain/contract/api/Api"
import { FetchHttpClient, type HttpClientResponse } from "@effect/platform"
import { type Brand, Cause, DateTime, Effect, Exit, Layer, ManagedRuntime, Option, Schema, SchemaAST } from "effect"
import {
  type ApiClient,
  autoIdempotent,
  ClockMeClient,
  declaresIdempotencyHeader,
  type ClockMeOptions,
  DEFAULT_URL,
  newIdempotencyKey,
  withIdempotencyKey
} from "./Client.js"
import { ClockMeError, toClockMeError } from "./Errors.js"

/** A value as it travels in JSON: instants are ISO 8601 strings and ids are plain strings. */
export type Json<T> = T extends DateTime.DateTime ? string
  : T extends string ? (T extends Brand.Brand<any> ? string : T)
  : T extends number | boolean | null | undefined ? T
  : T extends ReadonlyArray<infer X> ? ReadonlyArray<Json<X>>
  : T extends object ? { readonly [K in keyof T as T[K] extends Function ? never : K]: Json<T[K]> }
  : T

/** What a call accepts: like {@link Json}, and a `Date` wherever an instant is expected. */
export type Input<T> = T extends DateTime.DateTime ? string | Date
  : T extends string ? (T extends Brand.Brand<any> ? string : T)
  : T extends number | boolean | null | undefined ? T
  : T extends ReadonlyArray<infer X> ? ReadonlyArray<Input<X>>
  : T extends object ? { readonly [K in keyof T as T[K] extends Function ? never : K]: Input<T[K]> }
  : T

type Request<F> = F extends (request: infer R) => any ? R : never
type Parts<R> =
  & (R extends { readonly path: infer P } ? P : {})
  & (R extends { readonly urlParams: infer U } ? U : {})
  & (R extends { readonly payload: infer B } ? NonNullable<B> : {})
type Flat<T> = { [K in keyof T]: T[K] } & {}

/** Per-call options of the Promise client. */
export interface CallOptions {
  /** The Idempotency-Key of this call (generated for timer and log calls when absent). */
  readonly idempotencyKey?: string
  /** Aborts the call. */
  readonly signal?: AbortSignal
}

/**
 * One endpoint as a Promise function: its path, query and body fields flattened into one object
 * (e.g. `projects.update({ id, name })`), answering the JSON the server sent.
 */
export type PromiseMethod<F> = F extends (...args: any) => Effect.Effect<infer A, any, any>
  ? {} extends Input<Parts<Request<F>>>
    ? (input?: Flat<Input<Parts<Request<F>>>>, options?: CallOptions) => Promise<Json<Success<A>>>
  : (input: Flat<Input<Parts<Request<F>>>>, options?: CallOptions) => Promise<Json<Success<A>>>
  : never

/** The endpoint's success without the `withResponse` variant of HttpApiClient. */
type Success<A> = Exclude<A, readonly [any, HttpClientResponse.HttpClientResponse]>

/** The whole REST API as Promise namespaces, one per contract group. */
export type PromiseApi = {
  readonly [G in keyof ApiClient]: { readonly [E in keyof ApiClient[G]]: PromiseMethod<ApiClient[G][E]> }
}

/** Options of {@link ClockMe}; every field is optional. */
export interface ClockMeInit extends Partial<Omit<ClockMeOptions, "apiKey" | "baseUrl">> {
  /** A `ck_live_…` key; defaults to `CLOCKME_API_KEY`. */
  readonly apiKey?: string | undefined
  /** The server root; defaults to `CLOCKME_URL`, then `http://127.0.0.1:8787`. */
  readonly baseUrl?: string | undefined
  /** A `fetch` to use instead of the global one. */
  readonly fetch?: typeof globalThis.fetch | undefined
}

const env = (name: string): string | undefined => {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name]
  return value === undefined || value === "" ? undefined : value
}

interface EndpointSchemas {
  readonly pathSchema: Option.Option<Schema.Schema<any, any>>
  readonly urlParamsSchema: Option.Option<Schema.Schema<any, any>>
  readonly payloadSchema: Option.Option<Schema.Schema<any, any>>
  readonly headersSchema: Option.Option<Schema.Schema<any, any>>
  readonly successSchema: Schema.Schema<any, any>
}

const keysOf = (schema: Option.Option<Schema.Schema<any, any>>): ReadonlyArray<string> =>
  Option.match(schema, {
    onNone: () => [],
    onSome: (s) => SchemaAST.getPropertySignatures(s.ast).map((p) => String(p.name))
  })

const toWire = (value: unknown, stringify: boolean): unknown => {
  if (value instanceof Date) return value.toISOString()
  if (DateTime.isDateTime(value)) return DateTime.formatIso(value)
  if (stringify && (typeof value === "number" || typeof value === "boolean")) return String(value)
  return value
}

const isNullable = (schema: Schema.Schema<any, any>): boolean =>
  SchemaAST.isUnion(schema.ast) && schema.ast.types.some((t) => SchemaAST.isLiteral(t) && t.literal === null)

const badInput = (error: unknown): ClockMeError =>
  new ClockMeError({
    code: "invalid_request",
    message: `Invalid input: ${error instanceof Error ? error.message : String(error)}`,
    cause: error
  })

/**
 * The Promise client of the ClockMe REST API: one namespace per contract group (`timer`,
 * `projects`, `tasks`, `entries`, `reports`, `workspaces`, `me`, `keys`, `system`), derived from
 * the contract at runtime, so new endpoints appear without changes here. Failures reject with a
 * {@link ClockMeError} carrying the server's `code` and `message`.
 *
 * @example
 * const cm = new ClockMe({ apiKey: process.env.CLOCKME_API_KEY, baseUrl: "http://127.0.0.1:8787" })
 * const timer = await cm.timer.start({ projectName: "my-project", autoCreate: true })
 * const entry = await cm.timer.stop({ projectId: timer.projectId })
 * const csv = await cm.reports.billingCsv({ from: "2026-06-01", to: "2026-06-30" }) // CSV text with its BOM
 */
export interface ClockMe extends PromiseApi {}
export class ClockMe {
  readonly baseUrl: string
  readonly #runtime: ManagedRuntime.ManagedRuntime<ClockMeClient, never>

  constructor(init: ClockMeInit = {}) {
    const apiKey = init.apiKey ?? env("CLOCKME_API_KEY")
    const baseUrl = init.baseUrl ?? env("CLOCKME_URL") ?? DEFAULT_URL
    const http = init.fetch === undefined
      ? FetchHttpClient.layer
      : FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, init.fetch)))
    const layer = ClockMeClient.layer({
      baseUrl,
      apiKey,
      ...(init.retry === undefined ? {} : { retry: init.retry }),
      ...(init.timeout === undefined ? {} : { timeout: init.timeout })
    }).pipe(Layer.provide(http))
    this.#runtime = ManagedRuntime.make(layer)
    this.baseUrl = baseUrl
    for (const [groupName, group] of Object.entries(Api.groups)) {
      const namespace: Record<string, Function> = {}
      for (const [name, endpoint] of Object.entries(group.endpoints)) {
        namespace[name] = (input?: Record<string, unknown>, options?: CallOptions) =>
          this.#call(groupName, name, endpoint as unknown as EndpointSchemas, input ?? {}, options ?? {})
      }
      Object.defineProperty(this, groupName, { value: namespace, enumerable: true })
    }
  }

  async #call(
    groupName: string,
    name: string,
    endpoint: EndpointSchemas,
    input: Record<string, unknown>,
    options: CallOptions
  ): Promise<unknown> {
    const pathKeys = new Set(keysOf(endpoint.pathSchema))
    const urlKeys = new Set(keysOf(endpoint.urlParamsSchema))
    const path: Record<string, unknown> = {}
    const urlParams: Record<string, unknown> = {}
    const payload: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(input)) {
      if (value === undefined) continue
      if (pathKeys.has(key)) path[key] = toWire(value, true)
      else if (urlKeys.has(key)) urlParams[key] = toWire(value, true)
      else payload[key] = toWire(value, false)
    }
    const request: Record<string, unknown> = {}
    try {
      if (Option.isSome(endpoint.pathSchema)) {
        request.path = Schema.decodeUnknownSync(endpoint.pathSchema.value)(path)
      }
      if (Option.isSome(endpoint.urlParamsSchema)) {
        request.urlParams = Schema.decodeUnknownSync(endpoint.urlParamsSchema.value)(urlParams)
      }
      if (Option.isSome(endpoint.payloadSchema)) {
        const schema = endpoint.payloadSchema.value
        const body = Object.keys(payload).length === 0 && isNullable(schema) ? null : payload
        request.payload = Schema.decodeUnknownSync(schema)(body)
      } else if (Object.keys(payload).length > 0) {
        throw new Error(`${groupName}.${name} takes no ${Object.keys(payload).map((k) => `"${k}"`).join(", ")}`)
      }
    } catch (error) {
      throw badInput(error)
    }
    const key = options.idempotencyKey ?? (autoIdempotent(groupName, name) ? newIdempotencyKey() : undefined)
    if (Option.isSome(endpoint.headersSchema)) {
      const headers = key !== undefined && declaresIdempotencyHeader(groupName, name) ? { "idempotency-key": key } : {}
      request.headers = Schema.decodeUnknownSync(endpoint.headersSchema.value)(headers)
    }
    let effect = Effect.flatMap(ClockMeClient, (client) => {
      const groups = client as unknown as Record<string, Record<string, (r: unknown) => Effect.Effect<unknown, unknown>>>
      return groups[groupName]![name]!(request)
    })
    if (key !== undefined) effect = withIdempotencyKey(key)(effect)
    const encoded = Effect.flatMap(effect, (value) => Schema.encode(endpoint.successSchema)(value))
    const exit = await this.#runtime.runPromiseExit(encoded, options.signal === undefined ? undefined : { signal: options.signal })
    if (Exit.isSuccess(exit)) return exit.value
    const failure = Cause.failureOption(exit.cause)
    throw await toClockMeError(Option.isSome(failure) ? failure.value : Cause.squash(exit.cause))
  }

  /** Releases the client's resources (not needed before exit: it holds no sockets open). */
  close(): Promise<void> {
    return this.#runtime.dispose()
  }
}
