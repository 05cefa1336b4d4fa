import { HOOK_ROUTES, type HookRoute } from "./HookRoutes.js"

/** A failed hook call: `code` is the server's error code, or `network_error` / `timeout`. */
export class HookFailure extends Error {
  constructor(readonly code: string, message: string, readonly status?: number) {
    super(message)
  }
}

/**
 * The server did not answer, or cannot right now: the event is worth keeping for later. Read by
 * shape, so the full client's `ClockMeError` (from a queue flush) counts the same way.
 */
export const isUnreachableFailure = (error: unknown): boolean => {
  const { code, status } = (error ?? {}) as { readonly code?: unknown; readonly status?: unknown }
  return code === "network_error" || code === "timeout" || status === 429 || (typeof status === "number" && status >= 500)
}

export interface HookClientOptions {
  readonly baseUrl: string
  readonly apiKey: string
  /** Milliseconds left for everything the hook still does. */
  readonly remaining: () => number
  readonly retries: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Plain `fetch` calls for the hook path, which must start fast (no Effect runtime). */
export const hookClient = (options: HookClientOptions) => {
  const base = options.baseUrl.replace(/\/+$/, "").replace(/\/api$/, "")
  const once = async (route: HookRoute, body: unknown, idempotencyKey: string | undefined): Promise<any> => {
    const { method, path } = HOOK_ROUTES[route]
    const budget = Math.max(100, options.remaining())
    let response: Response
    try {
      response = await fetch(base + path, {
        method,
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...(idempotencyKey === undefined ? {} : { "idempotency-key": idempotencyKey })
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(budget)
      })
    } catch (error) {
      const name = (error as Error).name
      throw name === "TimeoutError" || name === "AbortError"
        ? new HookFailure("timeout", `no answer within ${budget} ms`)
        : new HookFailure("network_error", (error as Error).message)
    }
    const text = await response.text().catch(() => "")
    let json: any = undefined
    try {
      json = text === "" ? undefined : JSON.parse(text)
    } catch {
      // a proxy's HTML error page
    }
    if (response.ok) return json ?? {}
    throw new HookFailure(
      typeof json?.code === "string" ? json.code : response.status >= 500 ? "server_error" : "http_error",
      typeof json?.message === "string" ? json.message : `HTTP ${response.status}`,
      response.status
    )
  }
  return {
    call: async (route: HookRoute, body?: unknown, idempotencyKey?: string): Promise<any> => {
      for (let attempt = 0;; attempt++) {
        try {
          return await once(route, body, idempotencyKey)
        } catch (error) {
          // A refused or timed-out connection is not retried: the queue keeps the event instead.
          const retryable = error instanceof HookFailure && error.status !== undefined && isUnreachableFailure(error)
          if (!retryable || attempt >= options.retries || options.remaining() < 400) throw error
          await sleep(100 * 2 ** attempt)
        }
      }
    }
  }
}
