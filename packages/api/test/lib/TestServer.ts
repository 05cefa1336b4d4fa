import { Accounts } from "@clockme/domain/services/Accounts"
import type { Plan } from "@clockme/domain/contract/User"
import { HttpServer } from "@effect/platform"
import { Effect } from "effect"
import type { Layer } from "effect"
import { expectDocumented } from "./DocumentedAnswers.js"
import { WorkerDatabase } from "../../../domain/test/lib/ServiceTest.js"
import { ServerLive } from "../../src/Server.js"

/** The real server on an ephemeral loopback port over the worker's database, emptied first. */
export const TestServer = ServerLive({ port: 0, host: "127.0.0.1", bootstrap: false, delivery: false }, WorkerDatabase)

/** The same server without the background watchdog, for tests that sweep at chosen moments. */
export const TestServerManualSweep = ServerLive(
  { port: 0, host: "127.0.0.1", bootstrap: false, watchdog: false, delivery: false },
  WorkerDatabase
)

export const baseUrl = Effect.map(HttpServer.HttpServer, (server) => {
  const address = server.address
  if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
  return `http://127.0.0.1:${address.port}`
})

let counter = 0

/** A new account with its personal workspace; returns its full-scope key. */
export const signUp = (options: { readonly email?: string; readonly plan?: Plan } = {}) =>
  Effect.gen(function*() {
    const accounts = yield* Accounts
    const email = options.email ?? `user${++counter}-${Date.now()}@example.com`
    const created = yield* accounts.create({ email, plan: options.plan ?? "team" }).pipe(Effect.orDie)
    return { user: created.user, key: created.apiKey.secret }
  })

export interface Reply {
  readonly status: number
  readonly body: any
  readonly headers: Headers
}

export interface CallOptions {
  readonly key?: string | undefined
  readonly body?: unknown
  readonly rawBody?: string | Uint8Array
  readonly headers?: Record<string, string>
}

/**
 * One request as curl or a hook would send it, its JSON body parsed when it is JSON; `signal` may bound it.
 * The answer must be one the OpenAPI document declares, or the call fails.
 */
export const fetchReply = async (base: string, method: string, path: string, options: CallOptions, signal?: AbortSignal): Promise<Reply> => {
  const headers: Record<string, string> = { ...options.headers }
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`
  let body: string | Uint8Array<ArrayBuffer> | undefined
  if (options.rawBody !== undefined) {
    body = typeof options.rawBody === "string" ? options.rawBody : new Uint8Array(options.rawBody)
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body)
    headers["content-type"] ??= "application/json"
  }
  const response = await fetch(base + path, {
    method,
    headers,
    ...(signal === undefined ? {} : { signal }),
    ...(body === undefined ? {} : { body })
  })
  const text = await response.text()
  await expectDocumented({ method: method.toUpperCase(), url: response.url, status: response.status, contentType: response.headers.get("content-type"), text })
  let parsed: unknown = text
  try {
    parsed = text === "" ? null : JSON.parse(text)
  } catch {
    parsed = text
  }
  return { status: response.status, body: parsed, headers: response.headers }
}

/** A plain fetch against the running server, as curl or a hook would send it. */
export const call = (base: string, method: string, path: string, options: CallOptions = {}) =>
  Effect.promise(() => fetchReply(base, method, path, options))

export type TestServerLayer = Layer.Layer.Success<typeof TestServer>
