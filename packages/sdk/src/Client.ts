import { Api } from "@clockme/domain/contract/api/Api"
import { HttpApiClient, HttpClient, HttpClientError, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { Config, type ConfigError, Context, Duration, Effect, FiberRef, Layer, Option, Redacted, type Schema, SchemaAST } from "effect"

/** How the SDK retries requests that are safe to repeat. */
export interface RetryOptions {
  /** Retries after the first attempt (default 3; 0 turns retries off). */
  readonly retries?: number
  /** The first backoff (default 250 ms); each retry doubles it, with full jitter. */
  readonly baseDelay?: Duration.DurationInput
  /** The longest single wait, also the cap on a server's Retry-After (default 20 s). */
  readonly maxDelay?: Duration.DurationInput
}

/** Where the server is and which API key to send. */
export interface ClockMeOptions {
  /** The server root, e.g. `http://127.0.0.1:8787` (a trailing `/api` is accepted). */
  readonly baseUrl: string
  /** A `ck_live_…` API key. */
  readonly apiKey?: Redacted.Redacted<string> | string | undefined
  /** Retry policy for safe requests (GETs and POSTs that carry an Idempotency-Key). */
  readonly retry?: RetryOptions | undefined
  /** Time limit of one attempt (default 30 s). */
  readonly timeout?: Duration.DurationInput | undefined
}

/** The resolved configuration of a {@link ClockMeClient}. */
export class ClockMeConfig extends Context.Tag("@clockme/sdk/ClockMeConfig")<ClockMeConfig, {
  readonly baseUrl: string
  readonly apiKey: Option.Option<Redacted.Redacted<string>>
  readonly retry: Required<{ readonly [K in keyof RetryOptions]: Exclude<RetryOptions[K], undefined> }>
  readonly timeout: Duration.Duration
}>() {
  /** A configuration from explicit options. */
  static make(options: ClockMeOptions): Context.Tag.Service<ClockMeConfig> {
    const key = options.apiKey === undefined || options.apiKey === ""
      ? Option.none()
      : Option.some(typeof options.apiKey === "string" ? Redacted.make(options.apiKey) : options.apiKey)
    return {
      baseUrl: normalizeBaseUrl(options.baseUrl),
      apiKey: key,
      retry: {
        retries: options.retry?.retries ?? 3,
        baseDelay: options.retry?.baseDelay ?? Duration.millis(250),
        maxDelay: options.retry?.maxDelay ?? Duration.seconds(20)
      },
      timeout: Duration.decode(options.timeout ?? Duration.seconds(30))
    }
  }

  /** A layer from explicit options. */
  static layer(options: ClockMeOptions): Layer.Layer<ClockMeConfig> {
    return Layer.succeed(ClockMeConfig, ClockMeConfig.make(options))
  }

  /** A layer from `CLOCKME_URL` (default `http://127.0.0.1:8787`) and `CLOCKME_API_KEY`. */
  static readonly fromEnv: Layer.Layer<ClockMeConfig, ConfigError.ConfigError> = Layer.effect(
    ClockMeConfig,
    Effect.gen(function*() {
      const baseUrl = yield* Config.string("CLOCKME_URL").pipe(Config.withDefault(DEFAULT_URL))
      const apiKey = yield* Config.option(Config.redacted("CLOCKME_API_KEY"))
      return ClockMeConfig.make({ baseUrl, apiKey: Option.getOrUndefined(apiKey) })
    })
  )
}

/** The server a client talks to when nothing else is configured. */
export const DEFAULT_URL = "http://127.0.0.1:8787"

/** `https://host/api/` and `https://host` name the same server: the contract's paths carry `/api`. */
export const normalizeBaseUrl = (url: string): string => url.trim().replace(/\/+$/, "").replace(/\/api$/, "")

/**
 * The Idempotency-Key sent with requests made inside {@link withIdempotencyKey}; a request that
 * carries one is safe to retry because the server returns the first result for a repeat.
 */
export const currentIdempotencyKey: FiberRef.FiberRef<Option.Option<string>> = FiberRef.unsafeMake(Option.none())

/** Runs `effect` with an Idempotency-Key header on its requests (and their retries). */
export const withIdempotencyKey = (key: string) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.locally(effect, currentIdempotencyKey, Option.some(key))

/** A fresh idempotency key. */
export const newIdempotencyKey = (): string => globalThis.crypto.randomUUID()

const isSafe = (request: HttpClientRequest.HttpClientRequest): boolean =>
  request.method === "GET" || request.method === "HEAD" || request.headers["idempotency-key"] !== undefined

/** Seconds or an HTTP date, as RFC 9110 allows. */
export const parseRetryAfter = (value: string | undefined, nowMillis: number): Option.Option<Duration.Duration> => {
  if (value === undefined) return Option.none()
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Option.some(Duration.seconds(Number(trimmed)))
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? Option.none() : Option.some(Duration.millis(Math.max(0, at - nowMillis)))
}

const retryable = (response: HttpClientResponse.HttpClientResponse): boolean =>
  response.status === 429 || response.status >= 500

/**
 * Retries safe requests on network errors, 429 and 5xx with exponential backoff and full jitter,
 * waiting at least as long as a `Retry-After` header asks (capped by `maxDelay`).
 */
export const retrying = (config: Context.Tag.Service<ClockMeConfig>) => (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.transform(client, (send, request) => {
    const retries = isSafe(request) ? config.retry.retries : 0
    const maxMillis = Duration.toMillis(config.retry.maxDelay)
    const backoff = (attempt: number) =>
      Math.random() * Math.min(maxMillis, Duration.toMillis(config.retry.baseDelay) * 2 ** attempt)
    const attemptOnce = send.pipe(
      Effect.timeoutFail({
        duration: config.timeout,
        onTimeout: () =>
          new HttpClientError.RequestError({ request, reason: "Transport", description: `no answer within ${Duration.format(config.timeout)}` })
      })
    )
    const loop = (attempt: number): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
      Effect.matchEffect(attemptOnce, {
        onFailure: (error) =>
          attempt < retries && error._tag === "RequestError" && error.reason === "Transport"
            ? Effect.sleep(Duration.millis(backoff(attempt))).pipe(Effect.zipRight(loop(attempt + 1)))
            : Effect.fail(error),
        onSuccess: (response) => {
          if (attempt >= retries || !retryable(response)) return Effect.succeed(response)
          return Effect.gen(function*() {
            const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
            const asked = parseRetryAfter(response.headers["retry-after"], now).pipe(
              Option.map((d) => Math.min(maxMillis, Duration.toMillis(d))),
              Option.getOrElse(() => 0)
            )
            yield* Effect.sleep(Duration.millis(Math.max(asked, backoff(attempt))))
            return yield* loop(attempt + 1)
          })
        }
      })
    return loop(0)
  })

const authenticating = (config: Context.Tag.Service<ClockMeConfig>) => (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.mapRequestEffect(client, (request) =>
    Effect.map(FiberRef.get(currentIdempotencyKey), (key) => {
      let next = HttpClientRequest.acceptJson(request)
      if (Option.isSome(config.apiKey)) next = HttpClientRequest.bearerToken(next, Redacted.value(config.apiKey.value))
      if (Option.isSome(key)) next = HttpClientRequest.setHeader(next, "idempotency-key", key.value)
      return next
    }))

/** A JSON body shaped as the contract's errors are: `_tag`, `code` and `message`. */
const isContractError = (text: string): boolean => {
  try {
    const body = JSON.parse(text) as { readonly _tag?: unknown; readonly code?: unknown; readonly message?: unknown }
    return typeof body?._tag === "string" && typeof body.code === "string" && typeof body.message === "string"
  } catch {
    return false
  }
}

/**
 * An error answer that is not one of the contract's (a proxy's 502 page, a load balancer's 503 or 413) fails
 * as the response it is, mapped by its status and body, instead of failing to decode as the error the
 * contract declares for that status.
 */
const untypedErrors = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.transformResponse(client, (effect) =>
    Effect.flatMap(effect, (response) => {
      if (response.status < 400) return Effect.succeed(response)
      return Effect.flatMap(Effect.orElseSucceed(response.text, () => ""), (text) => {
        const copy = HttpClientResponse.fromWeb(
          response.request,
          new Response(text, { status: response.status, headers: response.headers })
        )
        return isContractError(text)
          ? Effect.succeed(copy)
          : Effect.fail(new HttpClientError.ResponseError({ request: response.request, response: copy, reason: "StatusCode" }))
      })
    }))

/** The contract's client type: every group and endpoint of the REST API. */
export type ApiClient = Effect.Effect.Success<ReturnType<typeof makeRaw>>

const makeRaw = (config: Context.Tag.Service<ClockMeConfig>) =>
  HttpApiClient.make(Api, {
    baseUrl: config.baseUrl,
    transformClient: (client) => client.pipe(authenticating(config), retrying(config), untypedErrors)
  })

const IDEMPOTENCY_HEADER = "idempotency-key"

const endpointOf = (group: string, endpoint: string) =>
  Api.groups[group]?.endpoints[endpoint] as unknown as {
    readonly method: string
    readonly headersSchema: Option.Option<Schema.Schema<any, any>>
    readonly payloadSchema: Option.Option<Schema.Schema<any, any>>
  } | undefined

const fieldsOf = (schema: Option.Option<Schema.Schema<any, any>>): ReadonlyArray<string> =>
  Option.match(schema, {
    onNone: () => [],
    onSome: (s) => {
      const ast = SchemaAST.isUnion(s.ast) ? s.ast.types.find((t) => !SchemaAST.isLiteral(t)) ?? s.ast : s.ast
      try {
        return SchemaAST.getPropertySignatures(ast).map((p) => String(p.name))
      } catch {
        return []
      }
    }
  })

/** True when the endpoint declares an `Idempotency-Key` header in the contract. */
export const declaresIdempotencyHeader = (group: string, endpoint: string): boolean =>
  fieldsOf(endpointOf(group, endpoint)?.headersSchema ?? Option.none()).includes(IDEMPOTENCY_HEADER)

/** True when the endpoint's body has an `idempotencyKey` field (e.g. logging an entry). */
export const takesIdempotencyKeyField = (group: string, endpoint: string): boolean =>
  fieldsOf(endpointOf(group, endpoint)?.payloadSchema ?? Option.none()).includes("idempotencyKey")

/**
 * True for the calls the SDK makes idempotent on its own, which makes them safe to retry: every
 * POST of the timer group and every POST whose contract declares an Idempotency-Key header or an
 * `idempotencyKey` body field (logging an entry).
 */
export const autoIdempotent = (group: string, endpoint: string): boolean => {
  const definition = endpointOf(group, endpoint)
  if (definition === undefined || definition.method !== "POST") return false
  return group === "timer" || declaresIdempotencyHeader(group, endpoint) || takesIdempotencyKeyField(group, endpoint)
}

const withAutoKeys = (client: ApiClient): ApiClient => {
  const groups: Record<string, Record<string, unknown>> = {}
  for (const [groupName, group] of Object.entries(client as unknown as Record<string, Record<string, Function>>)) {
    const methods: Record<string, unknown> = {}
    for (const [name, method] of Object.entries(group)) {
      const header = declaresIdempotencyHeader(groupName, name)
      const field = takesIdempotencyKeyField(groupName, name)
      methods[name] = !autoIdempotent(groupName, name) ? method : (request: any) =>
        Effect.flatMap(FiberRef.get(currentIdempotencyKey), (existing) => {
          const payload = request?.payload
          const key: string = Option.getOrElse(
            existing,
            () => request?.headers?.[IDEMPOTENCY_HEADER] ?? payload?.idempotencyKey ?? newIdempotencyKey()
          )
          let next = request ?? {}
          if (field && payload && payload.idempotencyKey === undefined) next = { ...next, payload: { ...payload, idempotencyKey: key } }
          if (header) next = { ...next, headers: { ...next.headers, [IDEMPOTENCY_HEADER]: key } }
          return withIdempotencyKey(key)(method(next))
        })
    }
    groups[groupName] = methods
  }
  return groups as unknown as ApiClient
}

/**
 * The Effect client of the ClockMe REST API, derived from the `HttpApi` contract. Requires an
 * `HttpClient` (e.g. `FetchHttpClient.layer`) and a {@link ClockMeConfig}.
 *
 * @example
 * const program = Effect.gen(function*() {
 *   const clockme = yield* ClockMeClient
 *   return yield* clockme.timer.start({ payload: { projectName: "my-project", autoCreate: true } })
 * })
 * program.pipe(Effect.provide(ClockMeClient.layer({ baseUrl, apiKey })), Effect.provide(FetchHttpClient.layer))
 */
export class ClockMeClient extends Effect.Service<ClockMeClient>()("@clockme/sdk/ClockMeClient", {
  effect: Effect.flatMap(ClockMeConfig, (config) => Effect.map(makeRaw(config), withAutoKeys))
}) {
  /** The client configured by options; still needs an `HttpClient`. */
  static layer(options: ClockMeOptions): Layer.Layer<ClockMeClient, never, HttpClient.HttpClient> {
    return ClockMeClient.Default.pipe(Layer.provide(ClockMeConfig.layer(options)))
  }

  /** The client configured from `CLOCKME_URL` and `CLOCKME_API_KEY`; still needs an `HttpClient`. */
  static readonly layerFromEnv = ClockMeClient.Default.pipe(Layer.provide(ClockMeConfig.fromEnv))
}
